import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { connectSocket, type TestSocket } from "./helpers/connect-socket.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// Several-instances issue, point 4: SIGTERM with REDIS_URL while a browser chat streamed ended the
// instance with exit code 1 within ~0.1 s, the stream cut and the answer not saved. A stop now
// lets answers in flight finish and be saved, then closes realtime, and exits 0.

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const SLOW_PIPE = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  async *pipe(body, ctx) {
    for (let i = 1; i <= 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await ctx.emit({ type: "status", data: { description: "part " + i, done: i === 8 } });
      yield "part " + i + ". ";
    }
  },
});
`;

describe("a graceful stop while a chat streams", () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  let tab: TestSocket | undefined;
  afterAll(async () => {
    tab?.close();
    for (const server of servers) await server.stop();
    await database?.drop();
  });

  it("finishes and saves the answer, then exits 0", { timeout: 60_000 }, async () => {
    database = await createTestDatabase("postgres");
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}` };
    const server = await startServer({ kind: "postgres", database, env });
    servers.push(server);
    const admin = await signUpAdmin(server.url);
    const client = api(server.url, admin.token);
    expect((await client.post("/api/v1/functions/create", { id: "slow", name: "Slow", content: SLOW_PIPE })).status).toBe(200);
    await client.post("/api/v1/functions/id/slow/toggle");
    const chatId = (await client.post("/api/v1/chats/new", { chat: { title: "Stopping", messages: [] } })).body.id;
    tab = await connectSocket(server.url, admin.token);

    const response = await fetch(`${server.url}/api/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "slow",
        stream: true,
        chat_id: chatId,
        id: "answer-1",
        session_id: tab.socket.id,
        messages: [{ role: "user", content: "go" }],
      }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("part 1.")) text += decoder.decode((await reader.read()).value, { stream: true });
    process.kill(server.pid, "SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain("part 8.");
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // Realtime stayed open while the answer finished: the tab saw its last status.
    expect(tab.received.map((envelope) => (envelope.data.data as { description?: string }).description)).toContain("part 8");

    const restarted = await startServer({ kind: "postgres", database, env });
    servers.push(restarted);
    const saved = await api(restarted.url, admin.token).get(`/api/v1/chats/${chatId}`);
    const answer = saved.body.chat.messages.find((message: { id: string }) => message.id === "answer-1");
    expect(answer).toMatchObject({ role: "assistant", content: expect.stringContaining("part 8.") });
    expect(answer.statusHistory.at(-1)).toMatchObject({ description: "part 8" });
  });
});
