import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import ivm from "isolated-vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Bundles the runtime exactly as the sandbox does and runs it in a bare V8 context (no console,
// timers, TextEncoder, URL or structuredClone), so a Node-only API at load time breaks this test.

const RUNTIME_ENTRY = fileURLToPath(new URL("./index.ts", import.meta.url));

const PLUGIN_SOURCE = `
import { defineFilter, z } from "@sluice/sdk";

export default defineFilter({
  valves: z.object({
    priority: z.number().default(0),
    maxTurns: z.number().int().min(1).default(8).describe("Most user turns"),
    apiKey: z.string().default("").meta({ input: { type: "password" } }),
  }),
  userValves: z.object({ maxTurns: z.number().int().default(4) }),
  async inlet(body, ctx) {
    const limit = Math.min(ctx.valves.maxTurns, ctx.user.valves.maxTurns);
    if (body.messages.filter((m) => m.role === "user").length > limit) throw new Error("Limit of " + limit + " turns reached");
    await ctx.emit({ type: "status", data: { description: "Turn limit checked", done: true } });
    console.log("checked", limit);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { ...body, checkedBy: ctx.id, uuid: crypto.randomUUID() };
  },
});
`;

// The host capabilities, written inside the isolate: this test is about the runtime, not the bridge.
const HOST_SOURCE = `
globalThis.__test_log = [];
globalThis.__test_events = [];
globalThis.__sluice_host = {
  emit: async (invocationId, event) => { __test_events.push({ invocationId, event }); return { ok: true, value: null }; },
  call: async () => ({ ok: true, value: true }),
  fetch: async () => ({ ok: false, error: { code: "PERMISSION_DENIED", message: "no network" } }),
  log: (invocationId, level, message) => { __test_log.push([invocationId, level, message]); },
  sleep: (milliseconds) => Promise.resolve({ ok: true, value: null }),
  randomBytes: (length) => Array.from({ length }, (_, index) => index * 17 % 256),
};
`;

let runtimeCode: string;
let pluginBody: string;
let isolate: ivm.Isolate;

beforeAll(async () => {
  const runtime = await esbuild.build({
    entryPoints: [RUNTIME_ENTRY],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "__sluice_runtime",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    logLevel: "silent",
  });
  runtimeCode = runtime.outputFiles[0]!.text;
  const plugin = await esbuild.build({
    stdin: { contents: PLUGIN_SOURCE, loader: "ts", sourcefile: "plugin.ts" },
    bundle: true,
    write: false,
    format: "cjs",
    platform: "neutral",
    target: "es2022",
    external: ["@sluice/sdk", "@sluice/sdk/*", "zod"],
    logLevel: "silent",
  });
  pluginBody = plugin.outputFiles[0]!.text;
  isolate = new ivm.Isolate({ memoryLimit: 128 });
});

afterAll(() => isolate?.dispose());

async function newContext(withHost: boolean): Promise<ivm.Context> {
  const context = await isolate.createContext();
  if (withHost) await context.eval(HOST_SOURCE);
  await context.eval(runtimeCode, { timeout: 5_000 });
  return context;
}

async function registerTestPlugin(context: ivm.Context) {
  return context.eval(`__sluice_runtime.registerPlugin(function (module, exports, require) {\n${pluginBody}\n})`, { copy: true });
}

function invoke(context: ivm.Context, request: unknown) {
  return context.evalClosure("return __sluice_runtime.invokeHook($0)", [request], {
    arguments: { copy: true },
    result: { promise: true, copy: true },
    timeout: 5_000,
  });
}

const user = { id: "u1", name: "Ada", email: "ada@example.com", role: "user" };

function inletRequest(userTurns: number, userValves: Record<string, unknown> = {}) {
  return {
    invocationId: "inv-1",
    hook: "inlet",
    payload: { model: "m", messages: Array.from({ length: userTurns }, () => ({ role: "user", content: "hi" })) },
    context: { id: "turn_limit", user, valves: {}, userValves, metadata: { chat_id: "c1" }, canCall: true },
  };
}

describe("the runtime bundle in a bare isolate", () => {
  it("loads without any host globals and leaves the context untouched", async () => {
    const context = await newContext(false);
    const globals = await context.eval(
      "[typeof setTimeout, typeof crypto, typeof TextEncoder, typeof __sluice_runtime.registerPlugin].join()",
      { copy: true },
    );
    expect(globals).toBe("undefined,undefined,undefined,function");
    context.release();
  });

  it("registers a plugin, describes it and validates valves", async () => {
    const context = await newContext(true);
    const descriptor = await registerTestPlugin(context);
    expect(descriptor).toMatchObject({ kind: "filter", hooks: ["inlet"], secretFields: ["apiKey"], userSecretFields: [], toggle: false });
    expect(descriptor.valvesSchema.properties.maxTurns).toMatchObject({
      type: "integer",
      default: 8,
      minimum: 1,
      description: "Most user turns",
    });
    expect(await context.eval("__sluice_runtime.describePlugin().kind", { copy: true })).toBe("filter");
    const valid = await context.eval(`__sluice_runtime.validateValves("valves", { maxTurns: 3, priority: null, unknown: 1 })`, {
      copy: true,
    });
    expect(valid).toEqual({ ok: true, stored: { maxTurns: 3 }, effective: { priority: 0, maxTurns: 3, apiKey: "" } });
    const invalid = await context.eval(`__sluice_runtime.validateValves("valves", { maxTurns: 0 })`, { copy: true });
    expect(invalid).toEqual({ ok: false, issues: [{ path: "maxTurns", message: "Too small: expected number to be >=1" }] });
    context.release();
  });

  it("invokes a hook with the globals shim and the host capabilities", async () => {
    const context = await newContext(true);
    await registerTestPlugin(context);
    const result = await invoke(context, inletRequest(2));
    expect(result.ok).toBe(true);
    expect(result.value).toMatchObject({
      checkedBy: "turn_limit",
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    const events = await context.eval("__test_events", { copy: true });
    expect(events).toEqual([{ invocationId: "inv-1", event: { type: "status", data: { description: "Turn limit checked", done: true } } }]);
    expect(await context.eval("__test_log", { copy: true })).toEqual([[null, "info", "checked 4"]]);
    context.release();
  });

  it("turns a plugin error into an error result instead of rejecting", async () => {
    const context = await newContext(true);
    await registerTestPlugin(context);
    const result = await invoke(context, inletRequest(3, { maxTurns: 2 }));
    expect(result).toMatchObject({ ok: false, error: { code: "PLUGIN_ERROR", message: "Limit of 2 turns reached" } });
    context.release();
  });

  it("refuses a module without a plugin with a clear message", async () => {
    const context = await newContext(true);
    const attempt = context.eval(`__sluice_runtime.registerPlugin(function (module) { module.exports = { hello: 1 }; })`);
    await expect(attempt).rejects.toThrow(/No plugin found/);
    context.release();
  });
});
