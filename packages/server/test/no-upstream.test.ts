import { expect, it, describe } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";
import { stringPipe } from "./fixtures/pipeline-plugins.ts";

const throwingStreamFilter = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  stream(event) {
    if (String(event.choices[0]?.delta?.content ?? "").includes("boom")) throw new Error("stream hook failed");
    return event;
  },
});
`;

const wordsPipe = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  async *pipe() {
    for (const word of ["one ", "boom ", "two"]) yield word;
  },
});
`;

const closingFilter = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  stream(event) {
    const choice = event.choices[0];
    if (choice?.finish_reason) choice.delta = { ...choice.delta, content: " [end]" };
    return event;
  },
});
`;

const stuckFilter = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  stream(event) {
    const delta = event.choices[0]?.delta;
    if (String(delta?.content ?? "").includes("hang")) for (;;) {}
    if (delta && typeof delta.content === "string") delta.content = delta.content.toUpperCase();
    return event;
  },
});
`;

const hangingWordsPipe = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  async *pipe() {
    for (const word of ["alpha ", "hang ", "omega"]) yield word;
  },
});
`;

describe("a server without an upstream", () => {
  const sluice = useServer({
    kind: "sqlite",
    env: { OPENAI_API_BASE_URL: undefined, OPENAI_API_BASE_URLS: undefined, PLUGIN_STREAM_TIMEOUT_MS: "300" },
  });
  let admin: TestAccount;

  it("starts, lists its pipes and refuses upstream models as unknown", async () => {
    admin = await signUpAdmin(sluice.url);
    await sluice.api.post("/api/v1/functions/create", { id: "echo", name: "Echo", content: stringPipe }, admin.token);
    await sluice.api.post("/api/v1/functions/id/echo/toggle", undefined, admin.token);
    const models = await sluice.api.get("/api/models", admin.token);
    expect(models.body.data.map((model: { id: string }) => model.id)).toEqual(["echo"]);
    const answer = await sluice.api.post(
      "/api/v1/chat/completions",
      { model: "echo", messages: [{ role: "user", content: "hi" }] },
      admin.token,
    );
    expect(answer.body.choices[0].message.content).toBe("Pipe heard: hi from Admin");
    expectError(
      await sluice.api.post("/api/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }, admin.token),
      404,
      "gpt-4o",
    );
  });

  it("drops only the chunk whose stream hook throws, and goes on", async () => {
    for (const [id, content] of [
      ["words", wordsPipe],
      ["fragile", throwingStreamFilter],
    ]) {
      await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    }
    await sluice.api.post("/api/v1/functions/id/fragile/toggle/global", undefined, admin.token);
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "words", messages: [{ role: "user", content: "go" }] },
      admin.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("one two");
  });

  it("passes a last chunk with a finish reason through stream filters, even for a pipe that yields text", async () => {
    await sluice.api.post("/api/v1/functions/create", { id: "closer", name: "closer", content: closingFilter }, admin.token);
    await sluice.api.post("/api/v1/functions/id/closer/toggle", undefined, admin.token);
    await sluice.api.post("/api/v1/functions/id/closer/toggle/global", undefined, admin.token);
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "echo", messages: [{ role: "user", content: "hi" }] },
      admin.token,
    );
    expect(answer.body.choices[0].message.content).toBe("Pipe heard: hi from Admin [end]");
  });

  it("drops the chunk a stream hook hangs on, and loads the filter again for the rest of the answer", async () => {
    for (const [id, content] of [
      ["hanging_words", hangingWordsPipe],
      ["stuck", stuckFilter],
    ]) {
      await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    }
    const settings = await sluice.api.post(
      "/api/v1/models/create",
      { id: "hanging_words", name: "Hanging", meta: { filterIds: ["stuck"] } },
      admin.token,
    );
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "hanging_words", messages: [{ role: "user", content: "go" }] },
      admin.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // The filter still upper-cases what comes after the chunk it was lost on.
    expect(answer.body.choices[0].message.content).toBe("ALPHA OMEGA [END]");
    expect((await sluice.api.get("/health")).status).toBe(200);
  });
});
