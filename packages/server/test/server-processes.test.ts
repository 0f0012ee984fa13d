import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { connectSocket, type TestSocket } from "./helpers/connect-socket.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";

// `npm start` with SLUICE_PROCESSES: several server processes on one port, sharing the database
// and Redis, so a machine's cores all serve.

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** The processes whose parent is `pid`, with the CPU time each has used (clock ticks). */
function childrenCpu(pid: number): Map<number, number> {
  const children = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid) children.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** One request on a connection of its own (the processes take new connections in turn). */
function requestOnNewConnection(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/api/models`, { agent: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", reject);
  });
}

describe("several server processes (SLUICE_PROCESSES)", () => {
  it("refuses more than one process without Redis, with one clear line", async () => {
    await expect(startServer({ kind: "sqlite", script: "supervise", env: { SLUICE_PROCESSES: "2" } })).rejects.toThrow(
      /exited before listening \(code 1[\s\S]*Sluice: invalid configuration: SLUICE_PROCESSES=2 runs 2 processes, which need REDIS_URL/,
    );
    await expect(startServer({ kind: "sqlite", script: "supervise", env: { SLUICE_PROCESSES: "many" } })).rejects.toThrow(
      /SLUICE_PROCESSES must be "auto" or a whole number from 1 to 64, got "many"/,
    );
  });

  describe("two processes on SQLite and Redis", () => {
    let upstream: FakeUpstream;
    let sluice: RunningServer;
    let admin: TestAccount;
    let tab: TestSocket | undefined;

    beforeAll(async () => {
      upstream = await startFakeUpstream();
      sluice = await startServer({
        kind: "sqlite",
        script: "supervise",
        env: {
          SLUICE_PROCESSES: "2",
          REDIS_URL,
          REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}`,
          OPENAI_API_BASE_URL: upstream.baseUrl,
        },
      });
      // The second process starts once the first has migrated the database.
      const listening = () => sluice.output().match(/Sluice listening on/g)?.length ?? 0;
      for (let waited = 0; listening() < 2 && waited < 20_000; waited += 100) await sleep(100);
      admin = await signUpAdmin(sluice.url);
    });

    afterAll(async () => {
      tab?.close();
      await sluice?.stop();
      await upstream?.close();
    });

    it("serves requests from both processes", async () => {
      const before = childrenCpu(sluice.pid);
      const statuses: number[] = [];
      for (let round = 0; round < 20; round += 1) {
        statuses.push(...(await Promise.all(Array.from({ length: 10 }, () => requestOnNewConnection(sluice.url, admin.token)))));
      }
      expect(statuses.every((status) => status === 200)).toBe(true);
      const after = childrenCpu(sluice.pid);
      const used = [...after].map(([pid, ticks]) => ticks - (before.get(pid) ?? 0));
      const total = used.reduce((sum, ticks) => sum + ticks, 0);
      // Each process took a fair share of the work, not just its idle timers' few ticks.
      expect(used).toHaveLength(2);
      for (const ticks of used) expect(ticks / total).toBeGreaterThan(0.2);
    });

    it("starts a killed process again while the other keeps serving", async () => {
      const [victim] = childrenCpu(sluice.pid).keys();
      process.kill(victim!, "SIGKILL");
      // Connections the dead process had taken are lost with it, as with any crash; new ones go to the one left.
      for (let waited = 0; !/server process \d ended/.test(sluice.output()) && waited < 10_000; waited += 50) await sleep(50);
      const statuses: number[] = [];
      for (let round = 0; round < 5; round += 1) statuses.push(await requestOnNewConnection(sluice.url, admin.token));
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      for (let waited = 0; (childrenCpu(sluice.pid).size < 2 || childrenCpu(sluice.pid).has(victim!)) && waited < 20_000; waited += 100)
        await sleep(100);
      expect(childrenCpu(sluice.pid).size).toBe(2);
      expect(sluice.output()).toMatch(/server process \d ended \(SIGKILL\); starting it again/);
    });

    it("streams answers and sends their events to the tab whichever process serves the chat", async () => {
      tab = await connectSocket(sluice.url, admin.token);
      const created = await api(sluice.url, admin.token).post("/api/v1/chats/new", { chat: { title: "Two processes", messages: [] } });
      const chatId = created.body.id as string;
      for (const id of ["a1", "a2", "a3", "a4"]) {
        const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const body = JSON.stringify({
            model: "fake-small",
            stream: true,
            messages: [{ id: `u-${id}`, role: "user", content: "Say hello" }],
            chat_id: chatId,
            id,
            session_id: tab!.socket.id,
          });
          const request = http.request(
            `${sluice.url}/api/chat/completions`,
            { method: "POST", agent: false, headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" } },
            (response) => {
              let text = "";
              response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
              response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
            },
          );
          request.on("error", reject);
          request.end(body);
        });
        expect(answer.status).toBe(200);
        expect(answer.text).toContain("data: [DONE]");
        const done = await tab.next(
          (envelope) =>
            envelope.message_id === id &&
            envelope.data.type === "chat:completion" &&
            (envelope.data.data as { done?: boolean }).done === true,
        );
        expect(done.chat_id).toBe(chatId);
      }
    });
  });
});
