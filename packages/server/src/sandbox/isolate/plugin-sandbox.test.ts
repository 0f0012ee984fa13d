import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { InvokeRequest } from "@sluice/sdk/runtime";
import { compilePlugin } from "../../plugins/compile-plugin.ts";
import type { HostHandlers } from "../invocation-handlers.ts";
import { PluginSandbox, type PluginSandboxOptions } from "./plugin-sandbox.ts";

const logger = pino({ level: "silent" });
const sandboxes: PluginSandbox[] = [];

async function sandboxFor(source: string, options: Partial<PluginSandboxOptions> = {}): Promise<PluginSandbox> {
  const { code } = await compilePlugin(source);
  const { sandbox } = await PluginSandbox.create(code, { pluginId: "test_plugin", host: {}, logger, ...options });
  sandboxes.push(sandbox);
  return sandbox;
}

async function loadFailure(source: string, options: Partial<PluginSandboxOptions> = {}): Promise<SluiceError> {
  const error = await sandboxFor(source, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(SluiceError.isInstance(error)).toBe(true);
  return error as SluiceError;
}

function request(
  hook: InvokeRequest["hook"],
  payload: unknown = {},
  extra: Partial<InvokeRequest> = {},
): Omit<InvokeRequest, "invocationId"> {
  return {
    hook,
    payload,
    context: {
      id: "test_plugin",
      user: { id: "u1", name: "Ada", email: "ada@example.com", role: "user" },
      valves: {},
      userValves: {},
      metadata: { chat_id: "c1" },
      canCall: true,
    },
    ...extra,
  };
}

const body = { model: "gpt", messages: [{ role: "user", content: "hello" }] };

afterAll(() => {
  for (const sandbox of sandboxes) sandbox.dispose();
});

describe("a filter in its sandbox", () => {
  let sandbox: PluginSandbox;

  beforeAll(async () => {
    sandbox = await sandboxFor(`
      import { defineFilter, z } from "@sluice/sdk";
      export default defineFilter({
        valves: z.object({ prefix: z.string().default("> "), maxTurns: z.number().int().min(1).default(8) }),
        async inlet(body, ctx) {
          ctx.log.info("inlet for", ctx.user.name);
          await ctx.emit({ type: "status", data: { description: "Prefixed", done: true } });
          return { ...body, messages: body.messages.map((m) => ({ ...m, content: ctx.valves.prefix + m.content })) };
        },
        outlet(body) {
          if (body.messages.length > 1) throw new Error("Too many messages for this filter");
        },
      });
    `);
  });

  it("reports what it is", () => {
    expect(sandbox.descriptor).toMatchObject({ kind: "filter", hooks: expect.arrayContaining(["inlet", "outlet"]) });
    expect(sandbox.descriptor.valvesSchema).toMatchObject({ properties: { prefix: { type: "string" } } });
  });

  it("returns the body the hook modified, with the stored valves applied", async () => {
    const result = await sandbox.invoke({ ...request("inlet", body), context: { ...request("inlet").context, valves: { prefix: "# " } } });
    expect(result).toEqual({ ok: true, value: { model: "gpt", messages: [{ role: "user", content: "# hello" }] } });
  });

  it("routes ctx.emit and ctx.log to the handlers of that call", async () => {
    const events: unknown[] = [];
    const lines: string[] = [];
    const result = await sandbox.invoke(request("inlet", body), {
      emit: (event) => void events.push(event),
      log: (level, message) => void lines.push(`${level}: ${message}`),
    });
    expect(result.ok).toBe(true);
    expect(events).toEqual([{ type: "status", data: { description: "Prefixed", done: true } }]);
    expect(lines).toEqual(["info: inlet for Ada"]);
  });

  it("turns a throw in a hook into a PLUGIN_ERROR naming the plugin and hook", async () => {
    const result = await sandbox.invoke(request("outlet", { messages: [{}, {}] }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(SluiceError.isInstance(result.error)).toBe(true);
    expect(result.error).toMatchObject({
      code: "PLUGIN_ERROR",
      message: "Too many messages for this filter",
      pluginId: "test_plugin",
      hook: "outlet",
    });
  });

  it("a host handler that fails becomes an error inside the plugin, not in the server", async () => {
    const result = await sandbox.invoke(request("inlet", body), {
      emit: async () => {
        throw new SluiceError("FORBIDDEN", "The chat is gone");
      },
    });
    expect(result).toMatchObject({ ok: false, error: { code: "FORBIDDEN", message: "The chat is gone", hook: "inlet" } });
  });

  it("validates valves with the plugin's schema", async () => {
    expect(await sandbox.validateValves("valves", { maxTurns: 3, prefix: null, unknown: 1 })).toEqual({
      ok: true,
      stored: { maxTurns: 3 },
      effective: { prefix: "> ", maxTurns: 3 },
    });
    const invalid = await sandbox.validateValves("valves", { maxTurns: 0 });
    expect(invalid).toMatchObject({ ok: false, issues: [{ path: "maxTurns" }] });
  });
});

describe("what a plugin can reach", () => {
  let sandbox: PluginSandbox;

  beforeAll(async () => {
    sandbox = await sandboxFor(`
      import { defineTools, z } from "@sluice/sdk";
      const attempt = async (run) => { try { return "reached: " + String(await run()); } catch (error) { return "refused: " + error.message; } };
      export default defineTools({
        tools: {
          probe: {
            description: "Reports what the sandbox exposes",
            parameters: z.object({}),
            async execute(_args, ctx) {
              const escape = (() => { try { return (function () {}).constructor("return typeof process")(); } catch (error) { return "threw"; } })();
              return {
                process: typeof process,
                globalFetch: typeof globalThis.fetch,
                escape,
                requireFs: await attempt(() => require(["f", "s"].join(""))),
                requireSdk: typeof require("@sluice/sdk").defineFilter,
                fetch: await attempt(() => ctx.fetch("https://example.com/")),
                uuid: /^[0-9a-f-]{36}$/.test(crypto.randomUUID()),
                slept: await new Promise((resolve) => setTimeout(() => resolve(true), 5)),
              };
            },
          },
          confirm: {
            description: "Asks the user",
            parameters: z.object({ question: z.string() }),
            async execute({ question }, ctx) {
              return await ctx.call({ type: "confirmation", data: { title: "Sure?", message: question } });
            },
          },
          waitForAbort: {
            description: "Waits until the request is cancelled",
            parameters: z.object({}),
            execute: (_args, ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve("aborted: " + ctx.signal.reason.message))),
          },
        },
      });
    `);
  });

  it("has no process, no global fetch, no Node require and no way back to the host's Function", async () => {
    const result = await sandbox.invoke(request("tool", {}, { toolName: "probe" }));
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      process: "undefined",
      globalFetch: "undefined",
      escape: "undefined",
      requireSdk: "function",
      uuid: true,
      slept: true,
    });
    const value = result.value as Record<string, string>;
    expect(value.requireFs).toMatch(/^refused: Cannot require "fs" inside the sandbox/);
    expect(value.fetch).toMatch(/^refused: Plugin "test_plugin" has no network permission/);
  });

  it("gives ctx.call the browser's answer through the call handler", async () => {
    const asked: unknown[] = [];
    const result = await sandbox.invoke(request("tool", { question: "Delete?" }, { toolName: "confirm" }), {
      call: async (event) => {
        asked.push(event);
        return true;
      },
    });
    expect(result).toEqual({ ok: true, value: true });
    expect(asked).toEqual([{ type: "confirmation", data: { title: "Sure?", message: "Delete?" } }]);
  });

  it("aborts ctx.signal when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const running = sandbox.invoke(request("tool", {}, { toolName: "waitForAbort" }), {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("The client disconnected")), 20);
    expect(await running).toEqual({ ok: true, value: "aborted: The client disconnected" });
  });
});

describe("limits", () => {
  const looping = `
    import { definePipe } from "@sluice/sdk";
    export default definePipe({
      async pipe(body, ctx) {
        if (body.mode === "sync") while (true) {}
        if (body.mode === "after-await") { await ctx.emit({ type: "status", data: { description: "working" } }); while (true) {} }
        if (body.mode === "memory") { const hoard = []; while (true) hoard.push(new Array(100000).fill(1.5)); }
        return "fine";
      },
    });
  `;

  it("a hook that loops fails with PLUGIN_TIMEOUT after the timeout; the sandbox is broken and can be recreated", async () => {
    const sandbox = await sandboxFor(looping, { timeoutMs: 150 });
    const started = performance.now();
    const result = await sandbox.invoke(request("pipe", { mode: "sync" }));
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "test_plugin" timed out in pipe after 150 ms', hook: "pipe" },
    });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1500);
    expect(sandbox.isBroken).toBe(true);
    expect(sandbox.isDisposed).toBe(true);
    expect(await sandbox.invoke(request("pipe", { mode: "ok" }))).toMatchObject({ ok: false, error: { code: "PLUGIN_TIMEOUT" } });

    const fresh = await sandboxFor(looping, { timeoutMs: 150 });
    expect(await fresh.invoke(request("pipe", { mode: "ok" }))).toEqual({ ok: true, value: "fine" });
  });

  it("a loop after an await (beyond isolated-vm's own timeout) is stopped by the watchdog", async () => {
    const sandbox = await sandboxFor(looping, { timeoutMs: 150 });
    const started = performance.now();
    const result = await sandbox.invoke(request("pipe", { mode: "after-await" }));
    expect(result).toMatchObject({ ok: false, error: { code: "PLUGIN_TIMEOUT", hook: "pipe" } });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(sandbox.isBroken).toBe(true);
  });

  it("a hook that hoards memory fails with PLUGIN_MEMORY_LIMIT and the server goes on", async () => {
    const sandbox = await sandboxFor(looping, { memoryLimitMb: 16, timeoutMs: 10_000 });
    const result = await sandbox.invoke(request("pipe", { mode: "memory" }));
    expect(result).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_MEMORY_LIMIT", message: 'Plugin "test_plugin" ran out of memory in pipe (the limit is 16 MB)' },
    });
    expect(sandbox.isBroken).toBe(true);
  });

  it("a plugin spinning in a timer between calls is disposed too", async () => {
    const sandbox = await sandboxFor(
      'import { defineFilter } from "@sluice/sdk";\nsetTimeout(() => { while (true) {} }, 10);\nexport default defineFilter({ inlet: (b) => b });',
      { timeoutMs: 100 },
    );
    await expect.poll(() => sandbox.isBroken, { timeout: 2000, interval: 10 }).toBe(true);
    expect(await sandbox.invoke(request("inlet", body))).toMatchObject({ ok: false, error: { code: "PLUGIN_TIMEOUT" } });
  });

  it("time spent waiting on the host (ctx.call) does not count against the limit; the plugin's own waiting does", async () => {
    const sandbox = await sandboxFor(
      `import { defineAction } from "@sluice/sdk";
      export default defineAction({
        async action(body, ctx) {
          const answer = await ctx.call({ type: "input", data: { title: "Name?" } });
          await new Promise((resolve) => setTimeout(resolve, body.sleep));
          return "hello " + answer;
        },
      });`,
      { timeoutMs: 100 },
    );
    const slowBrowser = () => new Promise((resolve) => setTimeout(() => resolve("Ada"), 150));
    expect(await sandbox.invoke(request("action", { sleep: 20 }), { call: slowBrowser })).toEqual({ ok: true, value: "hello Ada" });
    const slept = await sandbox.invoke(request("action", { sleep: 300 }), { call: slowBrowser });
    expect(slept).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "test_plugin" timed out in action after 100 ms' },
    });
    // Only waiting, not running away: the isolate stays.
    expect(sandbox.isBroken).toBe(false);
    expect(await sandbox.invoke(request("action", { sleep: 1 }), { call: () => "Bo" })).toEqual({ ok: true, value: "hello Bo" });
  });

  it("emit after the hook returned fails inside the plugin only", async () => {
    const lines: string[] = [];
    const sandbox = await sandboxFor(
      `
      import { defineFilter } from "@sluice/sdk";
      export default defineFilter({
        inlet(body, ctx) {
          setTimeout(() => ctx.emit({ type: "status", data: { description: "late" } }).catch((error) => console.error("late emit:", error.message)), 5);
          return body;
        },
      });
    `,
      { host: { log: (level, message) => void lines.push(`${level}: ${message}`) } },
    );
    const events: unknown[] = [];
    expect(await sandbox.invoke(request("inlet", body), { emit: (event) => void events.push(event) })).toEqual({ ok: true, value: body });
    await expect
      .poll(() => lines, { timeout: 2000, interval: 5 })
      .toEqual(["error: late emit: This hook call has finished; emit, call, fetch and storage work only while it runs"]);
    expect(events).toEqual([]);
  });

  it("a per-call timeout overrides the sandbox default", async () => {
    const sandbox = await sandboxFor(looping, { timeoutMs: 5000 });
    const result = await sandbox.invoke(request("pipe", { mode: "sync" }), {}, { timeoutMs: 50 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "test_plugin" timed out in pipe after 50 ms' },
    });
  });
});

describe("loading", () => {
  it("refuses a module without a plugin", async () => {
    const error = await loadFailure('import { z } from "@sluice/sdk";\nexport const schema = z.string();');
    expect(error.code).toBe("PLUGIN_LOAD_FAILED");
    expect(error.message).toMatch(/^No plugin found/);
    expect(error.pluginId).toBe("test_plugin");
  });

  it("refuses a module that throws while loading, with its message", async () => {
    const error = await loadFailure('throw new Error("missing API key");');
    expect(error).toMatchObject({ code: "PLUGIN_LOAD_FAILED", message: "The plugin threw while loading: missing API key" });
  });

  it("refuses a module that never finishes loading", async () => {
    const error = await loadFailure("while (true) {}", { timeoutMs: 100 });
    expect(error).toMatchObject({ code: "PLUGIN_LOAD_FAILED", message: "Plugin did not finish loading within 100 ms" });
  });

  it("sends load-time console output to the host's log handler", async () => {
    const lines: string[] = [];
    const host: HostHandlers = { log: (level, message) => void lines.push(`${level}: ${message}`) };
    await sandboxFor(
      'import { defineFilter } from "@sluice/sdk";\nconsole.warn("deprecated option");\nexport default defineFilter({ inlet: (b) => b });',
      { host },
    );
    expect(lines).toEqual(["warn: deprecated option"]);
  });
});

describe("disposal", () => {
  it("disposeWhenIdle lets a running call finish first", async () => {
    const sandbox = await sandboxFor(`
      import { defineAction } from "@sluice/sdk";
      export default defineAction({ async action() { await new Promise((resolve) => setTimeout(resolve, 50)); return "done"; } });
    `);
    const running = sandbox.invoke(request("action", {}));
    await new Promise((resolve) => setTimeout(resolve, 10));
    sandbox.disposeWhenIdle();
    expect(sandbox.isDisposed).toBe(false);
    expect(await running).toEqual({ ok: true, value: "done" });
    expect(sandbox.isDisposed).toBe(true);
    expect(sandbox.isBroken).toBe(false);
    expect(await sandbox.invoke(request("action", {}))).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_ERROR", message: expect.stringMatching(/is unloaded/) },
    });
  });
});
