import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PluginSandbox } from "../isolate/plugin-sandbox.ts";
import { delay, eventLoopBlockedMs, sandboxFor, testRequest } from "../sandbox-test-fixtures.ts";

const sandboxes: PluginSandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.dispose()));

const FILTER = `
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  async inlet(body, ctx) {
    if (body.mode === "emit") await ctx.emit({ type: "status", data: { description: "seen " + body.n } });
    if (body.mode === "loop") while (true) {}
    if (body.mode === "busy") { await ctx.emit({ type: "status", data: {} }); const end = Date.now() + body.ms; while (Date.now() < end) {} }
    if (body.mode === "never") await new Promise(() => {});
    if (body.mode === "ignore-abort") await new Promise((resolve) => setTimeout(resolve, 2000));
    return { ...body, seen: true };
  },
  outlet(body) {
    return { ...body, done: true };
  },
});
`;

describe("PluginSandbox.invoke", () => {
  let sandbox: PluginSandbox;

  beforeAll(async () => {
    sandbox = await sandboxFor(FILTER, { timeoutMs: 2000 }, sandboxes);
  });

  it("quick hooks keep their results apart over many calls, with and without host waits", async () => {
    for (let n = 0; n < 6; n++) {
      expect(await sandbox.invoke(testRequest("outlet", { n }))).toEqual({ ok: true, value: { n, done: true } });
      const events: unknown[] = [];
      const result = await sandbox.invoke(testRequest("inlet", { n, mode: n % 2 ? "emit" : "plain" }), {
        emit: (event) => void events.push(event),
      });
      expect(result).toEqual({ ok: true, value: { n, mode: n % 2 ? "emit" : "plain", seen: true } });
      expect(events).toEqual(n % 2 ? [{ type: "status", data: { description: `seen ${n}` } }] : []);
    }
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("overlapping calls into one sandbox each get their own result", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        sandbox.invoke(testRequest("inlet", { n, mode: n % 3 ? "emit" : "plain" }), { emit: () => delay(n % 5) }),
      ),
    );
    expect(results.map((result) => (result.ok ? (result.value as { n: number }).n : -1))).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it("does not block the event loop on a busy isolate: calls wait asynchronously", async () => {
    for (let n = 0; n < 3; n++) await sandbox.invoke(testRequest("outlet", {})); // quick: now called synchronously when idle
    await delay(20);
    const blocked = await eventLoopBlockedMs(async () => {
      const busy = sandbox.invoke(testRequest("inlet", { mode: "busy", ms: 600 }));
      await delay(30); // the isolate is now computing after its emit
      expect(await sandbox.invoke(testRequest("outlet", { n: 1 }))).toEqual({ ok: true, value: { n: 1, done: true } });
      expect(await busy).toMatchObject({ ok: true });
    });
    expect(blocked).toBeLessThan(300); // a synchronous call would have waited ~570 ms
  });

  it("plugin code never runs on the server's thread: the event loop keeps turning while a hook runs away", async () => {
    const runaway = await sandboxFor(FILTER, { timeoutMs: 1500 }, sandboxes);
    for (let n = 0; n < 10; n++) await runaway.invoke(testRequest("inlet", {}));
    let ticks = 0;
    let longestGapMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
      ticks += 1;
    }, 10);
    try {
      const result = await runaway.invoke(testRequest("inlet", { mode: "loop" }));
      expect(result).toMatchObject({ ok: false, error: { code: "PLUGIN_TIMEOUT", pluginId: "test_plugin", hook: "inlet" } });
    } finally {
      clearInterval(ticker);
    }
    expect(runaway.isBroken).toBe(true);
    // A hook called on the server's thread would have blocked it for the whole 1.5 s limit.
    expect(ticks).toBeGreaterThan(20);
    expect(longestGapMs).toBeLessThan(1000);
  });

  it("a hook waiting on a promise that never settles times out; the isolate stays", async () => {
    const waiting = await sandboxFor(FILTER, { timeoutMs: 150 }, sandboxes);
    const started = performance.now();
    const result = await waiting.invoke(testRequest("inlet", { mode: "never" }));
    expect(result).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "test_plugin" timed out in inlet after 150 ms' },
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(waiting.isBroken).toBe(false);
    expect(await waiting.invoke(testRequest("outlet", {}))).toEqual({ ok: true, value: { done: true } });
  });

  it("an aborted call that ignores its signal ends shortly after the abort", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const running = sandbox.invoke(testRequest("inlet", { mode: "ignore-abort" }), {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("The client disconnected")), 20);
    expect(await running).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_ERROR", message: 'Plugin "test_plugin" was stopped in inlet: The client disconnected' },
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sandbox.activeInvocations).toBe(0);
  });
});

describe("a hook handing its payload back", () => {
  const SOMETIMES_CHANGES = `
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  inlet(body) {
    if (body.mode === "in-place") body.messages[0].content = "changed in place";
    if (body.mode === "returned") return { ...body, added: true };
    if (body.mode === "same") return body;
  },
});
`;

  it("unchanged: the caller keeps its own body; changed in place or returned anew: the caller gets the change", async () => {
    const sandbox = await sandboxFor(SOMETIMES_CHANGES, {}, sandboxes);
    const body = (mode: string) => ({ mode, messages: [{ role: "user", content: "hi" }] });
    for (const mode of ["untouched", "same"]) {
      const sent = body(mode);
      const result = await sandbox.invoke(testRequest("inlet", sent), {}, { payloadText: JSON.stringify(sent) });
      expect(result).toEqual({ ok: true, value: sent });
      expect(result.ok && result.value).toBe(sent);
    }
    const inPlace = body("in-place");
    expect(await sandbox.invoke(testRequest("inlet", inPlace), {}, { payloadText: JSON.stringify(inPlace) })).toEqual({
      ok: true,
      value: { mode: "in-place", messages: [{ role: "user", content: "changed in place" }] },
    });
    expect(inPlace.messages[0]!.content).toBe("hi");
    expect(await sandbox.invoke(testRequest("inlet", body("returned")))).toEqual({ ok: true, value: { ...body("returned"), added: true } });
  });
});
