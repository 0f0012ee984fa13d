import { describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { delay, testContext, testRequest } from "../sandbox-test-fixtures.ts";
import { FakePluginHost } from "./fake-transport.ts";

// The host core over an in-memory transport: what PluginHost decides itself, whichever transport
// carries the calls (the real tiers are covered by isolate/ and node-tier/ tests).

const ok = (value: unknown) => JSON.stringify({ ok: true, value });

describe("PluginHost: holds and dispose-when-idle", () => {
  it("a retired plugin stays until the last hold is released, and a second release does nothing", async () => {
    const plugin = await FakePluginHost.create();
    const first = plugin.hold();
    const second = plugin.hold();
    plugin.disposeWhenIdle();
    expect(plugin.isInUse).toBe(true);
    first();
    first();
    expect(plugin.isDisposed).toBe(false);
    second();
    expect(plugin.isDisposed).toBe(true);
    expect(plugin.isInUse).toBe(false);
  });

  it("waits for a call in flight, then disposes", async () => {
    const plugin = await FakePluginHost.create();
    let answer!: (text: string) => void;
    plugin.transport.answer = () => new Promise((resolve) => (answer = resolve));
    const result = plugin.invoke(testRequest("inlet", { n: 1 }));
    await delay(1);
    plugin.disposeWhenIdle();
    expect(plugin.activeInvocations).toBe(1);
    expect(plugin.isDisposed).toBe(false);
    answer(ok({ n: 2 }));
    expect(await result).toEqual({ ok: true, value: { n: 2 } });
    expect(plugin.isDisposed).toBe(true);
  });

  it("waits for an open stream filter session, then disposes when it closes", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = (method) => (method === "openStreamSession" ? JSON.stringify({ ok: true, passThrough: false }) : ok(null));
    const session = plugin.openStreamFilter({ context: testContext });
    plugin.disposeWhenIdle();
    expect(await session.transform({ a: 1 })).toEqual({ a: 1 });
    expect(plugin.isDisposed).toBe(false);
    session.close();
    expect(plugin.isDisposed).toBe(true);
    expect(plugin.transport.notices.map((notice) => notice.method)).toEqual(["closeStreamSession"]);
  });

  it("a call after dispose fails with the transport's reason, naming plugin and hook", async () => {
    const plugin = await FakePluginHost.create();
    plugin.dispose();
    expect(await plugin.invoke(testRequest("outlet"))).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_ERROR", pluginId: "fake", hook: "outlet", message: 'Plugin "fake" is unloaded; load it again to call outlet' },
    });
  });
});

describe("PluginHost.invoke", () => {
  it("keeps the plugin's own error code and stack; an unknown code becomes PLUGIN_ERROR", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = (_method, args) => {
      const { payload } = JSON.parse(args[0] as string) as { payload: { code: string } };
      return JSON.stringify({ ok: false, error: { code: payload.code, message: "no", stack: "at plugin.ts:1" } });
    };
    const known = await plugin.invoke(testRequest("inlet", { code: "VALVES_INVALID" }));
    expect(known).toMatchObject({ ok: false, error: { code: "VALVES_INVALID", message: "no", pluginId: "fake", hook: "inlet" } });
    expect((known as { error: SluiceError }).error.cause).toEqual({ stack: "at plugin.ts:1" });
    expect(await plugin.invoke(testRequest("inlet", { code: "ROOT_PLEASE" }))).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_ERROR", message: "no" },
    });
  });

  it("refuses an answer that is not the runtime's shape, and drops __proto__ keys from one that is", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = () => "not json";
    expect(await plugin.invoke(testRequest("inlet"))).toMatchObject({
      ok: false,
      error: { message: 'Plugin "fake" returned a malformed result from inlet' },
    });
    plugin.transport.answer = () => '{"ok":true,"value":{"a":1,"__proto__":{"isAdmin":true}}}';
    const result = await plugin.invoke(testRequest("inlet"));
    expect(result).toEqual({ ok: true, value: { a: 1 } });
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf((result as { value: object }).value)).toBe(Object.prototype);
  });

  it("a call that runs out of time asks the transport, gives the call up in the plugin and fails with PLUGIN_TIMEOUT", async () => {
    const plugin = await FakePluginHost.create({ timeoutMs: 40 });
    const started = performance.now();
    const result = await plugin.invoke(testRequest("inlet"));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ ok: false, error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "fake" timed out in inlet after 40 ms' } });
    const [call] = plugin.transport.calls;
    const invocationId = (JSON.parse(call!.args[0] as string) as { invocationId: string }).invocationId;
    expect(plugin.transport.timedOut).toMatchObject([{ id: invocationId, hook: "inlet", timeoutMs: 40 }]);
    expect(plugin.transport.notices).toEqual([
      { method: "abortInvocation", args: [invocationId, "The call was given up"] },
      { method: "forgetResult", args: [invocationId] },
    ]);
    expect(plugin.activeInvocations).toBe(0);
  });

  it("counts a call's own time only once the transport says the plugin ran its synchronous part", async () => {
    const plugin = await FakePluginHost.create({ timeoutMs: 40 });
    plugin.transport.startsAtOnce = false;
    // Waiting in queues for three times the limit: not the plugin's time.
    plugin.transport.answer = async () => {
      await delay(120);
      plugin.transport.startCall?.();
      return ok("late but fine");
    };
    expect(await plugin.invoke(testRequest("inlet"))).toEqual({ ok: true, value: "late but fine" });
    // Once it started, a promise that never settles times out after the call's own limit.
    plugin.transport.answer = async () => {
      plugin.transport.startCall?.();
      return new Promise(() => {});
    };
    expect(await plugin.invoke(testRequest("inlet"))).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "fake" timed out in inlet after 40 ms' },
    });
  });

  it("does not count the time the server's event loop stood still", async () => {
    const plugin = await FakePluginHost.create({ timeoutMs: 40 });
    plugin.transport.answer = async () => {
      await delay(5);
      // Read after the timers that came due meanwhile, as an answer from a sandbox is (I/O).
      await new Promise((resolve) => setImmediate(resolve));
      return ok("answered while the server was busy");
    };
    const result = plugin.invoke(testRequest("inlet"));
    const until = performance.now() + 200;
    while (performance.now() < until) {
      // A slow request handler holding the server's thread for five times the call's limit.
    }
    expect(await result).toEqual({ ok: true, value: "answered while the server was busy" });
  });

  it("a call that never starts ends at the backstop, ten times its limit, and says so", async () => {
    const plugin = await FakePluginHost.create({ timeoutMs: 20 });
    plugin.transport.startsAtOnce = false;
    expect(await plugin.invoke(testRequest("inlet"))).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "fake" did not finish inlet within 200 ms' },
    });
    expect(plugin.transport.timedOut).toHaveLength(1);
    expect(plugin.activeInvocations).toBe(0);
  });

  it("reports the failure the transport found when it stopped a runaway call", async () => {
    const plugin = await FakePluginHost.create({ timeoutMs: 30 });
    const killed = new SluiceError("PLUGIN_MEMORY_LIMIT", "killed for memory", { pluginId: "fake", hook: "inlet" });
    plugin.transport.confirm = async () => killed;
    expect(await plugin.invoke(testRequest("inlet"))).toEqual({ ok: false, error: killed });
  });

  it("does not count the time a call waits for the host", async () => {
    const plugin = await FakePluginHost.create({ timeoutMs: 40 });
    plugin.transport.answer = async (_method, args) => {
      const { invocationId } = JSON.parse(args[0] as string) as { invocationId: string };
      const emitted = await plugin.transport.host.capabilities.emit(invocationId, '{"type":"status","data":{}}');
      return ok(emitted);
    };
    const result = await plugin.invoke(testRequest("inlet"), { emit: () => delay(120) });
    expect(result).toEqual({ ok: true, value: { ok: true, value: null } });
  });

  it("a failure of the transport is named by the transport", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = () => Promise.reject(new Error("pipe broke"));
    expect(await plugin.invoke(testRequest("tool", {}, { toolName: "search" }))).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_ERROR", hook: "search", message: 'Plugin "fake" failed in search: pipe broke' },
    });
  });

  it("an aborted caller aborts the plugin's signal and gives up after the grace period", async () => {
    const plugin = await FakePluginHost.create({ timeoutMs: 5000 });
    const controller = new AbortController();
    const result = plugin.invoke(testRequest("inlet"), {}, { signal: controller.signal });
    await delay(1);
    controller.abort(new Error("client went away"));
    expect(await result).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_ERROR", message: 'Plugin "fake" was stopped in inlet: client went away' },
    });
    expect(plugin.transport.notices[0]).toMatchObject({ method: "abortInvocation", args: [expect.any(String), "client went away"] });
  });
});

describe("PluginHost: what a plugin asks of the host", () => {
  it("routes emit and log to the handlers of the call they belong to, and refuses them once it has ended", async () => {
    const events: unknown[] = [];
    const lines: string[] = [];
    const plugin = await FakePluginHost.create({ host: { log: (_level, message) => void lines.push(`host: ${message}`) } });
    let invocationId = "";
    plugin.transport.answer = async (_method, args) => {
      invocationId = (JSON.parse(args[0] as string) as { invocationId: string }).invocationId;
      const { capabilities } = plugin.transport.host;
      await capabilities.emit(invocationId, '{"type":"status","data":{"n":1},"__proto__":{"polluted":true}}');
      capabilities.log(invocationId, "info", "inside");
      return ok(await capabilities.emit(invocationId, '{"data":"no type"}'));
    };
    const result = await plugin.invoke(testRequest("inlet"), {
      emit: (event) => void events.push(event),
      log: (_level, message) => void lines.push(message),
    });
    expect(result).toEqual({ ok: true, value: { ok: false, error: { code: "INVALID_INPUT", message: "An event needs a type" } } });
    expect(events).toEqual([{ type: "status", data: { n: 1 } }]);
    expect(Object.getPrototypeOf(events[0])).toBe(Object.prototype);
    const { capabilities } = plugin.transport.host;
    capabilities.log(invocationId, "warn", "from a timer, later");
    expect(lines).toEqual(["inside", "host: from a timer, later"]);
    expect(await capabilities.emit(invocationId, '{"type":"status","data":{}}')).toEqual({
      ok: false,
      error: { code: "PLUGIN_ERROR", message: "This hook call has finished; emit, call, fetch and storage work only while it runs" },
    });
    expect(await capabilities.call(invocationId, "{not json")).toMatchObject({ ok: false, error: { code: "PLUGIN_ERROR" } });
  });
});

describe("PluginHost.openStreamFilter", () => {
  const opened = JSON.stringify({ ok: true, passThrough: false });

  it("hands chunks on as they come and keeps their order; an unchanged chunk comes back as the same object", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = () => opened;
    const sent: number[] = [];
    plugin.transport.answerChunk = async (_sessionId, sequence, json) => {
      sent.push(sequence);
      await delay(sequence === 1 ? 10 : 0);
      const chunk = JSON.parse(json) as { n: number };
      return chunk.n === 3 ? null : chunk.n === 2 ? JSON.stringify({ n: 20 }) : json;
    };
    const session = plugin.openStreamFilter({ context: testContext });
    const first = { n: 1 };
    const outputs = await Promise.all([first, { n: 2 }, { n: 3 }].map((chunk) => session.transform(chunk)));
    expect(sent).toEqual([1, 2, 3]);
    expect(outputs[0]).toBe(first);
    expect(outputs.slice(1)).toEqual([{ n: 20 }, null]);
    session.close();
  });

  it("hands a transport that cannot pipeline one chunk at a time, in order, and times each from when it is handed over", async () => {
    const plugin = await FakePluginHost.create({ streamTimeoutMs: 40 });
    plugin.transport.answer = () => opened;
    plugin.transport.pipelinesChunks = false;
    const events: string[] = [];
    plugin.transport.answerChunk = async (_sessionId, sequence, json) => {
      events.push(`start ${sequence}`);
      await delay(25);
      events.push(`end ${sequence}`);
      return json;
    };
    const session = plugin.openStreamFilter({ context: testContext });
    const outputs = await Promise.all([1, 2, 3].map((n) => session.transform({ n })));
    // Three chunks of 25 ms each: 75 ms in all, past the 40 ms limit of one chunk, and none timed out.
    expect(outputs).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(events).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
    session.close();
  });

  it("a chunk that runs out of time is given up alone; the next one goes through", async () => {
    const plugin = await FakePluginHost.create({ streamTimeoutMs: 30 });
    plugin.transport.answer = () => opened;
    plugin.transport.answerChunk = (_sessionId, sequence, json) => (sequence === 1 ? new Promise(() => {}) : Promise.resolve(json));
    const session = plugin.openStreamFilter({ context: testContext });
    expect(await session.transform({ n: 1 })).toMatchObject({
      code: "PLUGIN_TIMEOUT",
      message: 'Plugin "fake" timed out in stream after 30 ms',
      hook: "stream",
    });
    const sessionId = plugin.transport.timedOut[0]!.id;
    expect(plugin.transport.notices).toEqual([{ method: "forgetResult", args: [`${sessionId}:1`] }]);
    expect(await session.transform({ n: 2 })).toEqual({ n: 2 });
    session.close();
  });

  it("a chunk's clock starts when the transport says so; one that never starts ends at the backstop", async () => {
    const plugin = await FakePluginHost.create({ streamTimeoutMs: 20 });
    plugin.transport.answer = () => opened;
    plugin.transport.pipelinesChunks = false;
    plugin.transport.startsAtOnce = false;
    plugin.transport.answerChunk = async (_sessionId, sequence, json) => {
      if (sequence === 3) return new Promise(() => {});
      // Queued behind other responses' chunks for three times the limit, then run.
      await delay(60);
      if (sequence === 2) plugin.transport.startCall?.(); // the hook returned a promise that never settles
      return sequence === 2 ? new Promise(() => {}) : json;
    };
    const session = plugin.openStreamFilter({ context: testContext });
    const [first, second, third] = await Promise.all([1, 2, 3].map((n) => session.transform({ n })));
    expect(first).toEqual({ n: 1 });
    expect(second).toMatchObject({ code: "PLUGIN_TIMEOUT", message: 'Plugin "fake" timed out in stream after 20 ms' });
    expect(third).toMatchObject({ code: "PLUGIN_TIMEOUT", message: 'Plugin "fake" did not finish stream within 200 ms' });
    session.close();
  });

  it("when the transport fails on a chunk, that chunk and every later one fail with its reason", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = () => opened;
    plugin.transport.answerChunk = () => Promise.reject(new Error("process gone"));
    const session = plugin.openStreamFilter({ context: testContext });
    expect(await session.transform({ n: 1 })).toMatchObject({
      code: "PLUGIN_ERROR",
      message: 'Plugin "fake" failed in stream: process gone',
    });
    expect(session.transform({ n: 2 })).toMatchObject({ message: 'Plugin "fake" failed in stream: process gone' });
    session.close();
  });

  it("a hook's own error keeps its code; closing fails the chunks still waiting", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = () => opened;
    plugin.transport.answerChunk = (_sessionId, sequence) =>
      sequence === 1 ? Promise.resolve({ ok: false, error: { code: "FORBIDDEN", message: "not this" } }) : new Promise(() => {});
    const session = plugin.openStreamFilter({ context: testContext });
    expect(await session.transform({ n: 1 })).toMatchObject({ code: "FORBIDDEN", message: "not this", hook: "stream" });
    const waiting = session.transform({ n: 2 });
    await delay(1);
    session.close();
    expect(await waiting).toMatchObject({ code: "PLUGIN_ERROR", message: 'The stream session of plugin "fake" is closed' });
    expect(plugin.activeInvocations).toBe(0);
  });

  it("a session that cannot open fails every chunk with why; a filter without a stream hook crosses nothing", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = () => JSON.stringify({ ok: false, error: { code: "VALVES_INVALID", message: "bad valves" } });
    const session = plugin.openStreamFilter({ context: testContext });
    expect(await session.transform({ n: 1 })).toMatchObject({ code: "VALVES_INVALID", message: "bad valves" });
    session.close();

    const inletOnly = await FakePluginHost.create({ descriptor: { kind: "filter", hooks: ["inlet"] } as unknown as PluginDescriptor });
    const chunk = { n: 1 };
    expect(inletOnly.openStreamFilter({ context: testContext }).transform(chunk)).toBe(chunk);
    expect(inletOnly.transport.calls).toEqual([]);
  });
});

describe("PluginHost.streamPipe", () => {
  it("starts, pulls until done, and yields each chunk", async () => {
    const plugin = await FakePluginHost.create();
    let pulls = 0;
    plugin.transport.answer = (method) =>
      method === "startPipe"
        ? JSON.stringify({ ok: true, kind: "stream" })
        : JSON.stringify(++pulls <= 2 ? { ok: true, done: false, value: `chunk ${pulls}` } : { ok: true, done: true });
    const outputs = [];
    for await (const output of plugin.streamPipe({ payload: {}, context: testContext })) outputs.push(output);
    expect(outputs).toEqual([
      { kind: "chunk", value: "chunk 1" },
      { kind: "chunk", value: "chunk 2" },
    ]);
    expect(plugin.transport.calls.map((call) => call.method)).toEqual(["startPipe", "pullPipe", "pullPipe", "pullPipe"]);
    expect(plugin.transport.notices).toEqual([]);
  });

  it("a reader that stops early stops the pipe in the plugin; a failure mid-stream is thrown after the chunks before it", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = (method) =>
      method === "startPipe" ? JSON.stringify({ ok: true, kind: "stream" }) : JSON.stringify({ ok: true, done: false, value: "again" });
    for await (const output of plugin.streamPipe({ payload: {}, context: testContext })) {
      expect(output).toEqual({ kind: "chunk", value: "again" });
      break;
    }
    expect(plugin.transport.notices).toMatchObject([{ method: "stopPipe", args: [expect.any(String), "The stream was stopped"] }]);

    let pulls = 0;
    plugin.transport.answer = (method) =>
      method === "startPipe"
        ? JSON.stringify({ ok: true, kind: "stream" })
        : JSON.stringify(++pulls === 1 ? { ok: true, done: false, value: "one" } : { ok: false, error: { message: "upstream went away" } });
    const seen: unknown[] = [];
    const failure = await (async () => {
      for await (const output of plugin.streamPipe({ payload: {}, context: testContext })) seen.push(output.value);
    })().catch((error: unknown) => error);
    expect(seen).toEqual(["one"]);
    expect(failure).toMatchObject({ code: "PLUGIN_ERROR", message: "upstream went away", hook: "pipe" });
    expect(plugin.activeInvocations).toBe(0);
  });
});

describe("PluginHost.validateValves", () => {
  it("answers the plugin's result and refuses a malformed one", async () => {
    const plugin = await FakePluginHost.create();
    plugin.transport.answer = () => JSON.stringify({ ok: true, stored: { a: 1 }, effective: { a: 1 } });
    expect(await plugin.validateValves("valves", { a: 1 })).toEqual({ ok: true, stored: { a: 1 }, effective: { a: 1 } });
    expect(plugin.transport.calls).toEqual([{ method: "validateValves", args: ["valves", { a: 1 }] }]);
    plugin.transport.answer = () => "[]";
    await expect(plugin.validateValves("userValves", {})).rejects.toMatchObject({
      message: 'Plugin "fake" returned a malformed valves result',
      hook: "user valves validation",
    });
  });

  it("serves the service channel with the call's handler, else the sandbox's, and says so when neither has one", async () => {
    const served: unknown[] = [];
    const plugin = await FakePluginHost.create({
      host: { serve: async (method, args) => ({ from: "sandbox", method, args }) },
    });
    const bare = await FakePluginHost.create();
    let answers: unknown[] = [];
    const ask = (host: FakePluginHost, requests: string[]) => {
      host.transport.answer = async (_method, args) => {
        const { invocationId } = JSON.parse(args[0] as string) as { invocationId: string };
        answers = [];
        for (const request of requests) answers.push(await host.transport.host.capabilities.serve(invocationId, request));
        return ok(null);
      };
    };
    ask(plugin, ['{"method":"storage.get","args":["k"]}']);
    await plugin.invoke(testRequest("inlet"), {
      serve: async (method, args) => {
        served.push([method, args]);
        return "from call";
      },
    });
    expect(served).toEqual([["storage.get", ["k"]]]);
    expect(answers).toEqual([{ ok: true, value: "from call" }]);
    await plugin.invoke(testRequest("inlet"));
    expect(answers).toEqual([{ ok: true, value: { from: "sandbox", method: "storage.get", args: ["k"] } }]);

    ask(bare, ['{"method":"storage.get","args":["k"]}', '{"method":"storage.get"}', "[1]"]);
    await bare.invoke(testRequest("inlet"));
    expect(answers).toEqual([
      { ok: false, error: { code: "PLUGIN_ERROR", message: expect.stringContaining('no "storage.get"') } },
      { ok: false, error: { code: "INVALID_INPUT", message: "A host service call needs { method: string, args: array }" } },
      { ok: false, error: { code: "INVALID_INPUT", message: "A host service call needs { method: string, args: array }" } },
    ]);
  });

  it("does not count the time the host takes to serve against the call's limit, and refuses oversized JSON", async () => {
    const plugin = await FakePluginHost.create({ timeoutMs: 50 });
    let answers: unknown[] = [];
    plugin.transport.answer = async (_method, args) => {
      const { invocationId } = JSON.parse(args[0] as string) as { invocationId: string };
      const { capabilities } = plugin.transport.host;
      answers = [
        await capabilities.serve(invocationId, '{"method":"slow","args":[]}'),
        await capabilities.serve(invocationId, JSON.stringify({ method: "slow", args: ["x".repeat(16 * 1024 * 1024)] })),
      ];
      return ok("done");
    };
    const slow = async (method: string) => {
      await delay(150);
      return method;
    };
    expect(await plugin.invoke(testRequest("inlet"), { serve: slow })).toEqual({ ok: true, value: "done" });
    expect(answers).toEqual([
      { ok: true, value: "slow" },
      { ok: false, error: { code: "PLUGIN_ERROR", message: expect.stringMatching(/characters of JSON; the limit is 16777216$/) } },
    ]);
  });
});
