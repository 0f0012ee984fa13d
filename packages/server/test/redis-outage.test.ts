import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { connectSocket, type TestSocket } from "./helpers/connect-socket.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// Several-instances issue, point 5: Redis unreachable for more than ~10 s crashed any instance that
// published meanwhile (a closing tab was enough). The outage is a TCP proxy of the test's own in
// front of the machine's Redis, which is never stopped.

const REDIS = new URL(process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

const STATUS_PIPE = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    await ctx.emit({ type: "status", data: { description: "from " + body.messages.at(-1).content, done: true } });
    return "ok";
  },
});
`;

describe("a Redis outage", () => {
  let database: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  const servers: RunningServer[] = [];
  const tabs: TestSocket[] = [];
  afterAll(async () => {
    for (const tab of tabs) tab.close();
    for (const server of servers) await server.stop();
    await proxy?.close();
    await database?.drop();
  });

  it("degrades realtime across instances, ends no process, and recovers", { timeout: 90_000 }, async () => {
    database = await createTestDatabase("postgres");
    proxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    const env = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}` };
    servers.push(await startServer({ kind: "postgres", database, env }), await startServer({ kind: "postgres", database, env }));
    const [first, second] = servers as [RunningServer, RunningServer];
    let hasEnded = false;
    for (const server of servers) void server.exited.then(() => (hasEnded = true));
    const admin = await signUpAdmin(first.url);
    const onFirst = api(first.url, admin.token);
    expect((await onFirst.post("/api/v1/functions/create", { id: "status", name: "Status", content: STATUS_PIPE })).status).toBe(200);
    await onFirst.post("/api/v1/functions/id/status/toggle");
    const chatId = (await onFirst.post("/api/v1/chats/new", { chat: { title: "Outage", messages: [] } })).body.id;
    // A chat answered by the first instance, whose events go to a tab on the second.
    const crossing = async (label: string, tab: TestSocket) => {
      const answer = await onFirst.post("/api/chat/completions", {
        model: "status",
        stream: false,
        chat_id: chatId,
        id: `m-${label}`,
        session_id: tab.socket.id,
        messages: [{ role: "user", content: label }],
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    };
    const tab = await connectSocket(second.url, admin.token);
    tabs.push(tab);
    await crossing("before", tab);
    expect(await tab.next((envelope) => envelope.message_id === "m-before")).toMatchObject({
      data: { type: "status", data: { description: "from before" } },
    });

    await proxy.cut();
    const outageEnds = Date.now() + 12_000;
    for (let round = 0; Date.now() < outageEnds; round++) {
      // Tabs opening and closing, and chats emitting, make both instances publish.
      for (const server of servers) {
        const passing = await connectSocket(server.url, admin.token);
        passing.close();
      }
      const answer = await onFirst.post("/api/chat/completions", {
        model: "status",
        stream: false,
        chat_id: chatId,
        id: `m-out-${round}`,
        session_id: tab.socket.id,
        messages: [{ role: "user", content: "during" }],
      });
      expect(answer.status).toBe(200);
      for (const server of servers) expect((await fetch(`${server.url}/health`)).status).toBe(200);
      await sleep(500);
    }
    expect(hasEnded).toBe(false);

    await proxy.restore();
    const fresh = await connectSocket(second.url, admin.token);
    tabs.push(fresh);
    await expect
      .poll(
        async () => {
          await crossing(`after-${Date.now()}`, fresh);
          await sleep(300);
          return fresh.received.some((envelope) => envelope.message_id?.startsWith("m-after-"));
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
    expect(hasEnded).toBe(false);
  });
});
