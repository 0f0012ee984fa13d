import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import type { PluginSandbox, StreamFilterSession } from "../isolate/plugin-sandbox.ts";
import { delay, sandboxFor, testContext } from "../sandbox-test-fixtures.ts";

const sandboxes: PluginSandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.dispose()));

const FILTER = `
import { defineFilter, z } from "@sluice/sdk";
let contexts = 0;
let lastContext;
export default defineFilter({
  valves: z.object({ banned: z.string().default("heck"), replacement: z.string().min(1).default("***") }),
  stream(event, ctx) {
    if (ctx !== lastContext) { lastContext = ctx; contexts += 1; ctx.signal.addEventListener("abort", () => ctx.log.info("session closed")); }
    const content = event.choices?.[0]?.delta?.content ?? "";
    if (content === "drop me") return null;
    if (content === "throw") throw new Error("cannot handle this chunk");
    if (content === "loop") while (true) {}
    if (content === "count") return { ...event, contexts };
    if (content === "later") return new Promise((resolve) => setTimeout(() => resolve({ ...event, waited: true }), 5));
    if (content === "never") return new Promise(() => {});
    if (content === "mutate") { event.mutated = true; return; }
    if (content.includes(ctx.valves.banned)) return { ...event, choices: [{ ...event.choices[0], delta: { content: content.replaceAll(ctx.valves.banned, ctx.valves.replacement) } }] };
  },
});
`;

const chunk = (content: string) => ({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content } }] });

describe("PluginSandbox.openStreamFilter", () => {
  let sandbox: PluginSandbox;
  const lines: string[] = [];

  beforeAll(async () => {
    sandbox = await sandboxFor(FILTER, { host: { log: (_level, message) => void lines.push(message) } }, sandboxes);
  });

  async function openSession(valves: Record<string, unknown> = {}): Promise<StreamFilterSession> {
    const session = sandbox.openStreamFilter({ context: { ...testContext, valves } });
    // The first chunk waits for the session to open.
    await session.transform(chunk("warm up"));
    await delay(5);
    return session;
  }

  it("replaces, drops and keeps chunks", async () => {
    const session = await openSession({ replacement: "h***" });
    const untouched = chunk("hello");
    const kept = await session.transform(untouched);
    expect(kept).toBe(untouched); // the very same object when unchanged
    expect(await session.transform(chunk("oh heck"))).toEqual(chunk("oh h***"));
    expect(await session.transform(chunk("drop me"))).toBeNull();
    expect(await session.transform(chunk("mutate"))).toEqual({ ...chunk("mutate"), mutated: true });
    session.close();
  });

  it("validates valves and builds ctx once per response", async () => {
    const first = await openSession();
    expect(await first.transform(chunk("count"))).toMatchObject({ contexts: expect.any(Number) });
    const count = ((await first.transform(chunk("count"))) as { contexts: number }).contexts;
    expect(((await first.transform(chunk("count"))) as { contexts: number }).contexts).toBe(count);
    first.close();
    const second = await openSession();
    expect(((await second.transform(chunk("count"))) as { contexts: number }).contexts).toBe(count + 1);
    second.close();

    const invalid = sandbox.openStreamFilter({ context: { ...testContext, valves: { replacement: "" } } });
    const output = await invalid.transform(chunk("hello"));
    expect(SluiceError.isInstance(output)).toBe(true);
    expect(output).toMatchObject({ code: "VALVES_INVALID", pluginId: "test_plugin", hook: "stream" });
    invalid.close();
  });

  it("a throw on one chunk comes back as a SluiceError; the next chunk goes through", async () => {
    const session = await openSession();
    const failed = await session.transform(chunk("throw"));
    expect(SluiceError.isInstance(failed)).toBe(true);
    expect(failed).toMatchObject({ code: "PLUGIN_ERROR", message: "cannot handle this chunk", pluginId: "test_plugin", hook: "stream" });
    expect(await session.transform(chunk("fine"))).toEqual(chunk("fine"));
    session.close();
  });

  it("awaits a hook that returns a promise, within the per-chunk limit", async () => {
    const session = await openSession();
    expect(await session.transform(chunk("later"))).toEqual({ ...chunk("later"), waited: true });
    const started = performance.now();
    const timedOut = await session.transform(chunk("never"));
    expect(timedOut).toMatchObject({ code: "PLUGIN_TIMEOUT", message: 'Plugin "test_plugin" timed out in stream after 100 ms' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sandbox.isBroken).toBe(false);
    expect(await session.transform(chunk("after"))).toEqual(chunk("after"));
    session.close();
  });

  it("close aborts the session's ctx.signal", async () => {
    const session = await openSession();
    lines.length = 0;
    session.close();
    await expect.poll(() => lines).toEqual(["session closed"]);
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("a retired sandbox waits for its open sessions", async () => {
    const retired = await sandboxFor(FILTER, {}, sandboxes);
    const session = retired.openStreamFilter({ context: testContext });
    expect(await session.transform(chunk("hi"))).toEqual(chunk("hi"));
    retired.disposeWhenIdle();
    expect(retired.isDisposed).toBe(false);
    expect(await session.transform(chunk("still the old code"))).toEqual(chunk("still the old code"));
    session.close();
    expect(retired.isDisposed).toBe(true);
    expect(session.transform(chunk("late"))).toMatchObject({ code: "PLUGIN_ERROR", message: expect.stringMatching(/closed/) });
  });

  it("a chunk that runs away is stopped at the per-chunk limit and breaks the sandbox", async () => {
    const looping = await sandboxFor(FILTER, { streamTimeoutMs: 50 }, sandboxes);
    const session = looping.openStreamFilter({ context: testContext });
    await session.transform(chunk("open"));
    await delay(5);
    const started = performance.now();
    const output = await session.transform(chunk("loop"));
    expect(performance.now() - started).toBeLessThan(500);
    expect(output).toMatchObject({
      code: "PLUGIN_TIMEOUT",
      message: 'Plugin "test_plugin" timed out in stream after 50 ms',
      hook: "stream",
    });
    expect(looping.isBroken).toBe(true);
    expect(await session.transform(chunk("next"))).toMatchObject({ code: "PLUGIN_TIMEOUT" });
    session.close();
  });

  it("a filter without a stream hook passes chunks through without crossing", async () => {
    const inletOnly = await sandboxFor(
      'import { defineFilter } from "@sluice/sdk";\nexport default defineFilter({ inlet: (body) => body });',
      {},
      sandboxes,
    );
    const session = inletOnly.openStreamFilter({ context: testContext });
    const original = chunk("x");
    expect(session.transform(original)).toBe(original);
    session.close();
    expect(inletOnly.activeInvocations).toBe(0);
  });
});

describe("chunks of many responses in one turn", () => {
  // Tags each chunk with the crossing it came in: the runtime runs a crossing's chunks in one
  // task, and the microtask queued by its first chunk runs only once that task is over.
  const TAGGING_FILTER = `
import { defineFilter } from "@sluice/sdk";
let crossing = 0;
let isCounted = false;
export default defineFilter({
  stream(event) {
    if (!isCounted) { isCounted = true; queueMicrotask(() => { isCounted = false; crossing += 1; }); }
    return { ...event, crossing };
  },
});
`;

  it("cross together, though each response hands its chunk over after a different number of steps", async () => {
    const tagging = await sandboxFor(TAGGING_FILTER, {}, sandboxes);
    const sessions = Array.from({ length: 20 }, () => tagging.openStreamFilter({ context: testContext }));
    await Promise.all(sessions.map((session) => session.transform(chunk("open"))));
    // As in a chat: one answer reaches every response, and each takes its own path (a few awaits
    // more or less) to its next filter.
    const outputs = await Promise.all(
      sessions.map(async (session, index) => {
        for (let step = 0; step < index; step += 1) await null;
        return session.transform(chunk(`response ${index}`));
      }),
    );
    const crossings = new Set(outputs.map((output) => (output as { crossing: number }).crossing));
    expect(crossings.size).toBe(1);
    expect(outputs.map((output) => (output as ReturnType<typeof chunk>).choices[0]!.delta.content)).toEqual(
      sessions.map((_, index) => `response ${index}`),
    );
    for (const session of sessions) session.close();
  });
});
