import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// Several-instances issue, point 6: a stop for an answer running on another instance reaches it
// (Open WebUI's task routes), and a page on any instance sees that the chat is still answering.

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const SLOW_PIPE = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  async *pipe(body, ctx) {
    for (let i = 1; i <= 50; i++) {
      if (ctx.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
      yield "part " + i + ". ";
    }
  },
});
`;

describe("stopping an answer from another instance", () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
  });

  it("lists it and stops it there; what came is saved", { timeout: 60_000 }, async () => {
    database = await createTestDatabase("postgres");
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}`, ENABLE_TITLE_GENERATION: "false" };
    servers.push(await startServer({ kind: "postgres", database, env }), await startServer({ kind: "postgres", database, env }));
    const [first, second] = servers as [RunningServer, RunningServer];
    const admin = await signUpAdmin(first.url);
    const onFirst = api(first.url, admin.token);
    const onSecond = api(second.url, admin.token);
    expect((await onFirst.post("/api/v1/functions/create", { id: "slow", name: "Slow", content: SLOW_PIPE })).status).toBe(200);
    await onFirst.post("/api/v1/functions/id/slow/toggle");
    const chatId = (await onFirst.post("/api/v1/chats/new", { chat: { title: "Long", messages: [] } })).body.id;

    const response = await fetch(`${first.url}/api/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "slow", stream: true, chat_id: chatId, id: "answer-1", messages: [{ role: "user", content: "go" }] }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("part 2.")) text += decoder.decode((await reader.read()).value, { stream: true });

    expect((await onSecond.get(`/api/tasks/chat/${chatId}`)).body).toEqual({ task_ids: ["answer-1"] });
    const stopped = await onSecond.post("/api/tasks/stop/answer-1");
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(200);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).not.toContain("part 50.");
    await expect.poll(async () => (await onSecond.get(`/api/tasks/chat/${chatId}`)).body.task_ids, { timeout: 5000 }).toEqual([]);
    const saved = (await onSecond.get(`/api/v1/chats/${chatId}`)).body.chat.messages.find(
      (message: { id: string }) => message.id === "answer-1",
    );
    expect(saved.content).toContain("part 2.");
    expect(saved.error).toBeUndefined();
    expect((await onSecond.post("/api/tasks/stop/answer-1")).status).toBe(404);
  });
});
