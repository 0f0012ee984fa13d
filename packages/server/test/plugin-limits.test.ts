import { describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";
import { stringPipe } from "./fixtures/pipeline-plugins.ts";

/** A pipe that loops forever or hoards memory when asked to, and answers otherwise. */
const runawayPipe = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  pipe(body) {
    const text = String(body.messages.at(-1).content);
    if (text === "loop") for (;;) {}
    if (text === "hoard") { const kept = []; for (;;) kept.push(new Array(1e5).fill(Math.random())); }
    return "fine: " + text;
  },
});
`;

describe("plugin limits seen from the HTTP API", () => {
  const sluice = useServer({ kind: "sqlite", env: { PLUGIN_TIMEOUT_MS: "1500", PLUGIN_MEMORY_MB: "32" } });
  let admin: TestAccount;
  const chat = (model: string, content: string) =>
    sluice.api.post("/api/chat/completions", { model, messages: [{ role: "user", content }] }, admin.token);

  it("sets up two pipes", async () => {
    admin = await signUpAdmin(sluice.url);
    for (const [id, content] of [
      ["runaway", runawayPipe],
      ["echo", stringPipe],
    ]) {
      await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    }
  });

  it("keeps serving /health and other chats while a plugin loops, then fails that call with PLUGIN_TIMEOUT", async () => {
    const looping = chat("runaway", "loop");
    let isLoopOver = false;
    void looping.then(() => (isLoopOver = true));
    const health = await sluice.api.get("/health");
    const other = await chat("echo", "still there?");
    expect(health.body).toEqual({ status: true });
    expect(other.body.choices[0].message.content).toBe("Pipe heard: still there? from Admin");
    // Both answered while the plugin was still spinning.
    expect(isLoopOver).toBe(false);
    const failed = await looping;
    expectError(failed, 504, "runaway");
    expect(failed.body).toMatchObject({ code: "PLUGIN_TIMEOUT", plugin_id: "runaway", hook: "pipe" });
    // The plugin works again on its next call.
    expect((await chat("runaway", "hello")).body.choices[0].message.content).toBe("fine: hello");
  });

  it("fails a call that hoards memory with PLUGIN_MEMORY_LIMIT and the server goes on", async () => {
    const failed = await chat("runaway", "hoard");
    expect(failed.body).toMatchObject({ code: "PLUGIN_MEMORY_LIMIT", plugin_id: "runaway" });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect((await sluice.api.get("/health")).body).toEqual({ status: true });
    expect((await chat("runaway", "again")).body.choices[0].message.content).toBe("fine: again");
  });
});
