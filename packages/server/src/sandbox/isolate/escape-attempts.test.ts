import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PluginEventMessage } from "../invocation-handlers.ts";
import type { PluginSandbox } from "./plugin-sandbox.ts";
import { delay, sandboxFor, testRequest } from "../sandbox-test-fixtures.ts";

// Issue 4, point 3: what a hostile plugin tries, and how each attempt fails. The plugin reports
// what it reached; "reached" anywhere below would be a hole. (Module names are computed: the
// compiler already refuses literal imports of Node built-ins.)

const sandboxes: PluginSandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.dispose()));

const HOSTILE = `
import { defineTools, z } from "@sluice/sdk";

const attempt = async (run) => {
  try {
    const value = await run();
    return "reached: " + (typeof value === "object" && value !== null ? Object.keys(value).slice(0, 5).join(",") : String(value));
  } catch (error) {
    return "refused: " + (error && error.message);
  }
};

// Every function the host put within reach, by any path the plugin can walk.
const hostFunctions = (ctx) => {
  const host = globalThis.__sluice_host;
  return {
    "__sluice_host.emit": host.emit, "__sluice_host.call": host.call, "__sluice_host.fetch": host.fetch, "__sluice_host.sleep": host.sleep,
    "__sluice_host.log": host.log, "__sluice_host.randomBytes": host.randomBytes, "__sluice_host.parseUrl": host.parseUrl,
    "ctx.emit": ctx.emit, "ctx.call": ctx.call, "ctx.fetch": ctx.fetch, "ctx.log.info": ctx.log.info,
    "ctx.signal.addEventListener": ctx.signal.addEventListener, setTimeout, "console.log": console.log,
    "crypto.randomUUID": crypto.randomUUID, "crypto.getRandomValues": crypto.getRandomValues,
  };
};

export default defineTools({
  tools: {
    ambient: {
      description: "What the global scope offers",
      parameters: z.object({}),
      async execute() {
        const globals = Object.getOwnPropertyNames(globalThis);
        return {
          process: typeof process, require: typeof require, module: typeof module, Buffer: typeof Buffer, global: typeof global,
          fetch: typeof fetch, XMLHttpRequest: typeof XMLHttpRequest, WebSocket: typeof WebSocket, setImmediate: typeof setImmediate,
          Deno: typeof Deno, Bun: typeof Bun, __dirname: typeof __dirname,
          ivmGlobals: globals.filter((name) => /ivm|^(Reference|Callback|ExternalCopy|Isolate|Context|Script|NativeModule)$/i.test(name)),
          thisProcess: typeof Function("return this")().process,
          evalProcess: await attempt(() => eval("typeof process === 'undefined' ? Promise.reject(new Error('no process')) : process")),
          requireFs: await attempt(() => require(["f", "s"].join(""))),
          requireSdkRuntime: await attempt(() => require(["@sluice/sdk", "runtime"].join("/"))),
          dynamicImport: await attempt(() => Function("return import('node:fs')")()),
          env: await attempt(() => { if (typeof process === "undefined") throw new Error("no process"); return process.env; }),
          socket: await attempt(() => { if (typeof require === "undefined") throw new Error("no require"); return require(["n", "et"].join("")).connect(80); }),
        };
      },
    },
    constructors: {
      description: "constructor.constructor from every host-provided function",
      parameters: z.object({}),
      async execute(_args, ctx) {
        const results = {};
        for (const [name, fn] of Object.entries(hostFunctions(ctx))) {
          results[name] = await attempt(() => {
            const FunctionOf = fn.constructor.constructor;
            const found = FunctionOf("return typeof process === 'undefined' ? undefined : process")();
            if (found === undefined) throw new Error("no process behind it");
            return found;
          });
        }
        results["ctx object"] = await attempt(() => {
          const found = ctx.constructor.constructor("return typeof process === 'undefined' ? undefined : process")();
          if (found === undefined) throw new Error("no process behind it");
          return found;
        });
        return results;
      },
    },
    pollute: {
      description: "Pollutes prototypes of what it was given and hands back poisoned data",
      parameters: z.object({ given: z.record(z.string(), z.unknown()) }),
      async execute({ given }, ctx) {
        Object.getPrototypeOf(given).pollutedViaArgument = "yes";
        Object.prototype.pollutedInIsolate = "yes";
        // isolated-vm reads inherited option properties: this would turn a copied result into a Reference.
        Object.prototype.reference = true;
        Object.getPrototypeOf(ctx.metadata).pollutedViaMetadata = "yes";
        Array.prototype.pollutedArray = "yes";
        const poisoned = JSON.parse('{"safe":1,"__proto__":{"pollutedViaResult":"yes"},"nested":{"__proto__":{"isAdmin":true}}}');
        await ctx.emit({ type: "status", data: poisoned });
        return poisoned;
      },
    },
    huge: {
      description: "Returns, emits or yields more than the host accepts",
      parameters: z.object({ what: z.string() }),
      async execute({ what }, ctx) {
        const big = "x".repeat(20 * 1024 * 1024);
        if (what === "return") return big;
        if (what === "emit") return attempt(() => ctx.emit({ type: "message", data: { content: big } }));
        if (what === "log") { ctx.log.info(big); return "logged"; }
        return "nothing";
      },
    },
    never: {
      description: "Waits on a promise that never settles",
      parameters: z.object({}),
      execute: () => new Promise(() => {}),
    },
    reenter: {
      description: "Emits, and the host calls back into this plugin from the handler",
      parameters: z.object({ depth: z.number() }),
      async execute({ depth }, ctx) {
        await ctx.emit({ type: "status", data: { depth } });
        ctx.log.info("depth " + depth);
        return "done at depth " + depth;
      },
    },
  },
});
`;

describe("escape attempts", () => {
  let sandbox: PluginSandbox;
  const run = (toolName: string, payload: unknown = {}, handlers = {}) =>
    sandbox.invoke(testRequest("tool", payload, { toolName }), handlers);

  beforeAll(async () => {
    sandbox = await sandboxFor(HOSTILE, { timeoutMs: 10_000 }, sandboxes);
  });

  it("finds no process, require, Node built-ins, file system, environment, sockets or global fetch", async () => {
    const result = await run("ambient");
    expect(result.ok).toBe(true);
    const found = (result as { value: Record<string, unknown> }).value;
    expect(found).toMatchObject({
      process: "undefined",
      Buffer: "undefined",
      global: "undefined",
      fetch: "undefined",
      XMLHttpRequest: "undefined",
      WebSocket: "undefined",
      setImmediate: "undefined",
      Deno: "undefined",
      Bun: "undefined",
      __dirname: "undefined",
      thisProcess: "undefined",
      ivmGlobals: [],
    });
    // The bundle's CommonJS wrapper has a module and a require, which knows only the SDK and zod.
    expect(found.module).toBe("object");
    expect(found.require).toBe("function");
    expect(found.requireFs).toMatch(/^refused: Cannot require "fs" inside the sandbox/);
    expect(found.requireSdkRuntime).toMatch(/^refused: "@sluice\/sdk\/runtime" is not available inside the sandbox/);
    for (const key of ["evalProcess", "dynamicImport", "env", "socket"]) expect(found[key], key).toMatch(/^refused: /);
  });

  it("reaches no host Function through constructor.constructor of any host-provided function or object", async () => {
    const result = await run("constructors");
    expect(result.ok).toBe(true);
    const attempts = (result as { value: Record<string, string> }).value;
    expect(Object.keys(attempts).length).toBeGreaterThanOrEqual(17);
    for (const [name, outcome] of Object.entries(attempts)) expect(outcome, name).toBe("refused: no process behind it");
  });

  it("cannot pollute the host's prototypes through arguments, events or results", async () => {
    const events: PluginEventMessage[] = [];
    const given = { a: 1 };
    const result = await run("pollute", { given }, { emit: (event: PluginEventMessage) => void events.push(event) });
    expect(result).toEqual({ ok: true, value: { safe: 1, nested: {} } });
    expect(events).toEqual([{ type: "status", data: { safe: 1, nested: {} } }]);
    const plain: Record<string, unknown> = {};
    for (const key of ["pollutedViaArgument", "pollutedInIsolate", "pollutedViaMetadata", "pollutedViaResult", "isAdmin"])
      expect(plain[key], key).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).pollutedArray).toBeUndefined();
    expect(Object.getPrototypeOf(given)).toBe(Object.prototype);
    expect(Object.assign({}, (result as { value: object }).value)).toEqual({ safe: 1, nested: {} });
    // The host's own calls into the isolate still work after the plugin tampered with its prototypes.
    expect(await run("reenter", { depth: 0 })).toEqual({ ok: true, value: "done at depth 0" });
  });

  it("refuses huge values with a clear error instead of copying them", async () => {
    const before = process.memoryUsage().heapUsed;
    expect(await run("huge", { what: "return" })).toMatchObject({
      ok: false,
      error: {
        code: "PLUGIN_ERROR",
        message: expect.stringMatching(/^What tool "huge" returned is \d+ characters of JSON; the limit is 16777216$/),
      },
    });
    expect(await run("huge", { what: "emit" })).toMatchObject({
      ok: true,
      value: expect.stringMatching(/^refused: The value passed to the host is \d+ characters of JSON; the limit is 16777216$/),
    });
    const lines: string[] = [];
    expect(await run("huge", { what: "log" }, { log: (_level: string, message: string) => void lines.push(message) })).toEqual({
      ok: true,
      value: "logged",
    });
    expect(lines[0]!.length).toBeLessThanOrEqual(16_384);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
  });

  it("a promise that never settles ends with PLUGIN_TIMEOUT after the limit, or soon after its caller aborts", async () => {
    const started = performance.now();
    const timedOut = await sandbox.invoke(testRequest("tool", {}, { toolName: "never" }), {}, { timeoutMs: 500 });
    expect(timedOut).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "test_plugin" timed out in never after 500 ms' },
    });
    expect(performance.now() - started).toBeLessThan(2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("The client disconnected")), 20);
    const aborted = await sandbox.invoke(
      testRequest("tool", {}, { toolName: "never" }),
      {},
      { signal: controller.signal, timeoutMs: 60_000 },
    );
    expect(aborted).toMatchObject({ ok: false, error: { message: expect.stringContaining("The client disconnected") } });
    expect(sandbox.isBroken).toBe(false);
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("re-entering the sandbox from an emit or log handler works and mixes nothing up", async () => {
    const seen: string[] = [];
    const handlers = (depth: number): Parameters<PluginSandbox["invoke"]>[1] => ({
      emit: async () => {
        if (depth < 3) {
          const inner = await sandbox.invoke(testRequest("tool", { depth: depth + 1 }, { toolName: "reenter" }), handlers(depth + 1));
          seen.push(inner.ok ? String(inner.value) : `failed: ${inner.error.message}`);
        }
      },
      log: () => {
        // A synchronous host callback calling back in: it must not block or deadlock the isolate.
        void sandbox.invoke(testRequest("tool", { depth: 9 }, { toolName: "reenter" })).then((inner) => seen.push(`from log: ${inner.ok}`));
      },
    });
    expect(await sandbox.invoke(testRequest("tool", { depth: 0 }, { toolName: "reenter" }), handlers(0))).toEqual({
      ok: true,
      value: "done at depth 0",
    });
    expect(seen.filter((line) => line.startsWith("done"))).toEqual(["done at depth 3", "done at depth 2", "done at depth 1"]);
    await expect.poll(() => seen.filter((line) => line === "from log: true").length).toBe(4);
    await delay(20);
    expect(sandbox.activeInvocations).toBe(0);
  });
});
