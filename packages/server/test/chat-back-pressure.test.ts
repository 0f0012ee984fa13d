import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";

/** 200 pieces of "tick ", one every 50 ms: the fake upstream's "slow" answer. */
const SLOW_ANSWER = "tick ".repeat(200);

interface Streamed {
  content: string;
  isDone: boolean;
}

/** Reads an SSE answer to its end: the content of its deltas, and whether it ended with [DONE]. */
async function readAnswer(response: Response): Promise<Streamed> {
  const payloads = (await response.text())
    .split("\n\n")
    .map((block) => block.replace(/^data: /, "").trim())
    .filter(Boolean);
  const content = payloads
    .filter((payload) => payload !== "[DONE]")
    .map((payload) => JSON.parse(payload).choices?.[0]?.delta?.content ?? "")
    .join("");
  return { content, isDone: payloads.at(-1) === "[DONE]" };
}

/**
 * A server with these admission settings in front of the fake upstream (whose "slow" answer
 * streams for 10 s), started before the suite's tests, and a way to post streaming chats to it.
 */
function useBusyServer(env: Record<string, string>) {
  let fake: FakeUpstream | undefined;
  let server: RunningServer | undefined;
  let admin: TestAccount | undefined;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    server = await startServer({
      kind: "sqlite",
      env: { OPENAI_API_BASE_URL: fake.baseUrl, ENABLE_TITLE_GENERATION: "false", ...env },
    });
    admin = await signUpAdmin(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });
  return {
    get fake() {
      return fake!;
    },
    get server() {
      return server!;
    },
    /** Posts a streaming chat; resolves with the response once its head came (the turn started, or was refused). */
    startChat: (text: string, options: { id?: string; signal?: AbortSignal } = {}) =>
      fetch(`${server!.url}/api/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin!.token}` },
        body: JSON.stringify({ model: "fake-small", stream: true, id: options.id, messages: [{ role: "user", content: text }] }),
        signal: options.signal,
      }),
  };
}

/** Waits until the server logged that the chat request with this `id` waits for a slot. */
async function waitUntilQueued(server: RunningServer, id: string): Promise<void> {
  const line = new RegExp(`"messageId":"${id}".*chat request waits for a slot`);
  await vi.waitFor(() => expect(server.output()).toMatch(line), { timeout: 10_000, interval: 20 });
}

async function expectBusy(response: Response, detail: RegExp): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(Number(response.headers.get("retry-after"))).toBeLessThanOrEqual(60);
  const body = (await response.json()) as { code?: string; detail?: string };
  expect(body).toMatchObject({ code: "UNAVAILABLE" });
  expect(body.detail).toMatch(detail);
}

describe("back-pressure: 2 chats at once, 1 waiting (CHAT_MAX_CONCURRENT=2, CHAT_QUEUE_MAX=1)", () => {
  const busy = useBusyServer({
    CHAT_MAX_CONCURRENT: "2",
    CHAT_QUEUE_MAX: "1",
    CHAT_QUEUE_TIMEOUT_SECONDS: "120",
    LOG_LEVEL: "info",
  });
  const { startChat } = busy;

  it(
    "lets a third chat wait until one of two streaming chats ends, refuses a fourth with 503, and cuts no chunk",
    { timeout: 60_000 },
    async () => {
      busy.fake.requests.length = 0;
      const first = await startChat("slow one");
      const second = await startChat("slow two");
      expect([first.status, second.status]).toEqual([200, 200]);

      const third = startChat("hello third", { id: "third" });
      await waitUntilQueued(busy.server, "third");
      await expectBusy(await startChat("hello fourth"), /busy/);
      // The waiting chat has not reached the model yet; the refused one never will.
      expect(busy.fake.chatBodies()).toHaveLength(2);

      expect(await readAnswer(first)).toEqual({ content: SLOW_ANSWER, isDone: true });
      expect(await readAnswer(second)).toEqual({ content: SLOW_ANSWER, isDone: true });
      const waited = await third;
      expect(waited.status).toBe(200);
      expect(await readAnswer(waited)).toEqual({ content: "You said: hello third", isDone: true });
      expect(busy.fake.chatBodies()).toHaveLength(3);
    },
  );

  it("gives the place of a waiting chat whose client went away to the next one", { timeout: 60_000 }, async () => {
    const running = [new AbortController(), new AbortController()];
    for (const controller of running) expect((await startChat("slow again", { signal: controller.signal })).status).toBe(200);

    const leaver = new AbortController();
    const left = startChat("hello leaver", { id: "leaver", signal: leaver.signal }).catch((error: Error) => error);
    await waitUntilQueued(busy.server, "leaver");
    leaver.abort();
    expect(await left).toMatchObject({ name: "AbortError" });
    await vi.waitFor(() => expect(busy.server.output()).toMatch(/"messageId":"leaver".*left the queue/), { timeout: 10_000, interval: 20 });

    // With the leaver still counted, this one would be refused: the queue holds one.
    const next = startChat("hello next", { id: "next" });
    await waitUntilQueued(busy.server, "next");
    // A client leaving a running chat frees its slot too.
    running[0]!.abort();
    const admitted = await next;
    expect(admitted.status).toBe(200);
    expect(await readAnswer(admitted)).toEqual({ content: "You said: hello next", isDone: true });
    running[1]!.abort();
  });

  it("on a stop, lets the running chats finish and tells the waiting one to retry", { timeout: 60_000 }, async () => {
    // Each answers once it has a slot (the previous test's chats give theirs back once the server saw their clients go).
    const first = await startChat("slow last one");
    const second = await startChat("slow last two");
    expect([first.status, second.status]).toEqual([200, 200]);
    const waiting = startChat("hello stop", { id: "stop" });
    await waitUntilQueued(busy.server, "stop");

    process.kill(busy.server.pid, "SIGTERM");
    await expectBusy(await waiting, /restarting/);
    expect(await readAnswer(first)).toEqual({ content: SLOW_ANSWER, isDone: true });
    expect(await readAnswer(second)).toEqual({ content: SLOW_ANSWER, isDone: true });
    expect(await busy.server.exited).toEqual({ code: 0, signal: null });
  });
});

describe("back-pressure: the wait for a slot ends (CHAT_QUEUE_TIMEOUT_SECONDS)", () => {
  const busy = useBusyServer({
    CHAT_MAX_CONCURRENT: "1",
    CHAT_QUEUE_TIMEOUT_SECONDS: "0.5",
  });
  const { startChat } = busy;

  it(
    "answers a chat that waited too long 503 with Retry-After, and takes chats again once the slot is free",
    { timeout: 60_000 },
    async () => {
      const running = new AbortController();
      expect((await startChat("slow", { signal: running.signal })).status).toBe(200);
      await expectBusy(await startChat("hello late"), /no chat could start here within 0\.5 s/);

      running.abort();
      // The slot is free once the server saw the client go; until then a chat may still wait too long.
      await vi.waitFor(
        async () => {
          const answered = await startChat("hello again");
          expect(await readAnswer(answered)).toEqual({ content: "You said: hello again", isDone: true });
        },
        { timeout: 10_000, interval: 50 },
      );
    },
  );
});

describe("back-pressure settings", () => {
  // The other settings are checked in config.test.ts; this is what an admin sees.
  it("refuses to start with an invalid one, in one clear line", async () => {
    const failure = startServer({ kind: "sqlite", env: { CHAT_MAX_CONCURRENT: "lots" } });
    await expect(failure).rejects.toThrow(/Sluice: invalid configuration: CHAT_MAX_CONCURRENT must be a non-negative integer, got "lots"/);
  });
});
