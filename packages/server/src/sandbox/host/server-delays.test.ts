import { afterAll, describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import type { PluginSandbox, StreamFilterSession } from "../isolate/plugin-sandbox.ts";
import { delay, sandboxFor, testContext, testRequest } from "../sandbox-test-fixtures.ts";

// Issue 14, point 4: time a call or chunk spends waiting for the server (its queues, the isolate
// busy with other responses' chunks, the server's own event loop too busy to read an answer) is
// not the plugin's. A loaded server must not fail healthy plugins with PLUGIN_TIMEOUT nor dispose
// their isolates; code that really runs away, or waits forever, still fails.

const sandboxes: PluginSandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.dispose()));

const FILTER = `
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  async inlet(body) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { ...body, seen: true };
  },
  outlet(body) {
    return { ...body, checked: true };
  },
  stream(event) {
    const content = event.choices?.[0]?.delta?.content ?? "";
    if (content === "loop") while (true) {}
    if (content === "never") return new Promise(() => {});
    if (content === "later") return new Promise((resolve) => setTimeout(() => resolve({ ...event, later: true }), 5));
    if (content === "busy") { const until = Date.now() + 2; while (Date.now() < until) {} }
    return { ...event, filtered: true };
  },
});
`;

const chunk = (content: string) => ({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content } }] });

/** Holds the test's own thread (the server's event loop) for `milliseconds`, as a slow request handler would. */
function blockEventLoop(milliseconds: number): void {
  const until = performance.now() + milliseconds;
  while (performance.now() < until) {
    // Busy: nothing else runs on this thread meanwhile.
  }
}

async function openSessions(sandbox: PluginSandbox, count: number): Promise<StreamFilterSession[]> {
  const sessions = Array.from({ length: count }, () => sandbox.openStreamFilter({ context: testContext }));
  await Promise.all(sessions.map((session) => session.transform(chunk("warm up"))));
  return sessions;
}

function timeouts(outputs: unknown[]): SluiceError[] {
  return outputs.filter((output): output is SluiceError => SluiceError.isInstance(output) && output.code === "PLUGIN_TIMEOUT");
}

describe("time the server makes a plugin wait", () => {
  it("a blocked event loop fails no healthy chunk or hook call, and the isolate stays", async () => {
    const sandbox = await sandboxFor(FILTER, { streamTimeoutMs: 100, timeoutMs: 100 }, sandboxes);
    const sessions = await openSessions(sandbox, 40);
    for (let round = 0; round < 3; round += 1) {
      const chunks = sessions.flatMap((session) => [
        session.transform(chunk("plain")),
        session.transform(chunk("later")),
        session.transform(chunk("plain")),
      ]);
      const calls = Array.from({ length: 10 }, (_, index) =>
        sandbox.invoke(testRequest(index % 2 === 0 ? "inlet" : "outlet", { messages: [] })),
      );
      blockEventLoop(400);
      const outputs = await Promise.all(chunks);
      const results = await Promise.all(calls);
      expect(timeouts(outputs)).toEqual([]);
      expect(outputs.filter((output) => SluiceError.isInstance(output))).toEqual([]);
      expect(results.filter((result) => !result.ok)).toEqual([]);
      expect(outputs.filter((_, index) => index % 3 === 1)).toEqual(sessions.map(() => ({ ...chunk("later"), later: true })));
    }
    expect(sandbox.isBroken).toBe(false);
    expect(sandbox.isDisposed).toBe(false);
    for (const session of sessions) session.close();
  });

  it("a chunk waiting behind many other responses' chunks is not charged their time", async () => {
    const sandbox = await sandboxFor(FILTER, { streamTimeoutMs: 100 }, sandboxes);
    // 100 responses at once, 2 ms of the hook's own work each: the last chunks wait longer than 100 ms.
    const sessions = await openSessions(sandbox, 100);
    const outputs = await Promise.all(sessions.map((session) => session.transform(chunk("busy"))));
    expect(timeouts(outputs)).toEqual([]);
    expect(outputs).toEqual(sessions.map(() => ({ ...chunk("busy"), filtered: true })));
    expect(sandbox.isBroken).toBe(false);
    for (const session of sessions) session.close();
  });

  it("a stream hook that loops still fails with PLUGIN_TIMEOUT and loses its isolate (the plugin is loaded afresh)", async () => {
    const sandbox = await sandboxFor(FILTER, { streamTimeoutMs: 100 }, sandboxes);
    const [looping, healthy] = await openSessions(sandbox, 2);
    const output = await looping!.transform(chunk("loop"));
    expect(SluiceError.isInstance(output) && output.code).toBe("PLUGIN_TIMEOUT");
    expect(sandbox.isBroken).toBe(true);
    // The other response on the same isolate fails too, saying why; a fresh load works.
    expect(SluiceError.isInstance(await healthy!.transform(chunk("plain")))).toBe(true);
    const fresh = await sandboxFor(FILTER, { streamTimeoutMs: 100 }, sandboxes);
    const [session] = await openSessions(fresh, 1);
    expect(await session!.transform(chunk("plain"))).toEqual({ ...chunk("plain"), filtered: true });
  });

  it("a chunk waiting on a promise that never settles times out; the isolate stays and the next chunk works", async () => {
    const sandbox = await sandboxFor(FILTER, { streamTimeoutMs: 100 }, sandboxes);
    const [session] = await openSessions(sandbox, 1);
    const output = await session!.transform(chunk("never"));
    expect(SluiceError.isInstance(output) && output.code).toBe("PLUGIN_TIMEOUT");
    expect(await session!.transform(chunk("plain"))).toEqual({ ...chunk("plain"), filtered: true });
    expect(sandbox.isBroken).toBe(false);
  });

  it("a hook waiting on a promise that never settles times out, even while the event loop is blocked", async () => {
    const sandbox = await sandboxFor(
      `import { defineFilter } from "@sluice/sdk";\nexport default defineFilter({ inlet: () => new Promise(() => {}) });`,
      { timeoutMs: 100 },
      sandboxes,
    );
    const call = sandbox.invoke(testRequest("inlet", { messages: [] }));
    blockEventLoop(300);
    const result = await call;
    expect(!result.ok && result.error.code).toBe("PLUGIN_TIMEOUT");
    expect(sandbox.isBroken).toBe(false);
    await delay(1);
  });
});
