import { expect, it, vi } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { useServer } from "./helpers/use-server.ts";

// Fixes issue, point 15: manifold entry ids with dots were refused, and the whole manifold then
// disappeared from /api/models. Real model ids have dots.

const PROVIDER = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  pipes: [
    { id: "gpt-4.1-mini", name: "GPT-4.1 mini" },
    { id: "llama3.1:8b", name: "Llama 3.1 8B" },
    { id: "", name: "Nameless" },
    { id: "gpt-4.1-mini", name: "Again" },
  ],
  pipe: (body, ctx) => "answered by " + ctx.metadata.subModel,
});
`;

describeEachDatabase("manifold entry ids", (kind) => {
  const sluice = useServer({ kind, env: { ENABLE_TITLE_GENERATION: "false" } });
  let admin: TestAccount;

  it("lists entries whose ids have dots, drops only the bad ones, and routes to them", async () => {
    admin = await signUpAdmin(sluice.url);
    expect(
      (await sluice.api.post("/api/v1/functions/create", { id: "provider", name: "Provider", content: PROVIDER }, admin.token)).status,
    ).toBe(200);
    await sluice.api.post("/api/v1/functions/id/provider/toggle", undefined, admin.token);
    const models = (await sluice.api.get("/api/models", admin.token)).body.data.map((model: { id: string; name: string }) => [
      model.id,
      model.name,
    ]);
    expect(models).toEqual([
      ["provider.gpt-4.1-mini", "GPT-4.1 mini"],
      ["provider.llama3.1:8b", "Llama 3.1 8B"],
    ]);
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "provider.llama3.1:8b", messages: [{ role: "user", content: "hi" }] },
      admin.token,
    );
    expect(answer.body).toMatchObject({ model: "provider.llama3.1:8b", choices: [{ message: { content: "answered by llama3.1:8b" } }] });
    // The server's log reaches this process through a pipe, possibly after the HTTP answer.
    await vi.waitFor(() => expect(sluice.server.output()).toMatch(/manifold entry left out: an empty id/), {
      timeout: 10_000,
      interval: 50,
    });
    await vi.waitFor(
      () =>
        expect(sluice.server.output()).toMatch(
          /manifold entry left out: the id \\"gpt-4.1-mini\\" twice|manifold entry left out: the id "gpt-4.1-mini" twice/,
        ),
      { timeout: 10_000, interval: 50 },
    );
  });
});
