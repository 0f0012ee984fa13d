import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAction, defineFilter, definePipe, defineTools, SluiceError } from "../index.ts";
import { abortInvocation } from "./abort-invocation.ts";
import { findPlugin } from "./find-plugin.ts";
import { invokePlugin } from "./invoke-plugin.ts";
import type { HookName, InvokeRequest, SluiceHost } from "./types.ts";

function fakeHost(overrides: Partial<SluiceHost> = {}): SluiceHost & { emitted: unknown[]; logged: unknown[] } {
  const emitted: unknown[] = [];
  const logged: unknown[] = [];
  return {
    emitted,
    logged,
    emit: async (invocationId, event) => {
      emitted.push([invocationId, event]);
      return { ok: true, value: null };
    },
    call: async () => ({ ok: true, value: "answer" }),
    fetch: async () => ({
      ok: false,
      error: { code: "PERMISSION_DENIED", message: "api.example.com is not in this plugin's permissions" },
    }),
    serve: async () => ({ ok: false, error: { code: "INVALID_INPUT", message: "Unknown host method" } }),
    fetchRead: async () => ({ ok: true, value: null }),
    fetchClose: () => {},
    log: (invocationId, level, message) => logged.push([invocationId, level, message]),
    sleep: async () => ({ ok: true, value: null }),
    randomBytes: (length) => new Array(length).fill(0),
    parseUrl: () => ({ ok: false, error: { code: "INVALID_INPUT", message: "Invalid URL" } }),
    ...overrides,
  };
}

function request(hook: HookName, payload: unknown, context: Partial<InvokeRequest["context"]> = {}, toolName?: string): InvokeRequest {
  return {
    invocationId: "inv-1",
    hook,
    ...(toolName && { toolName }),
    payload,
    context: {
      id: "plugin",
      user: { id: "u1", name: "Ada", email: "ada@example.com", role: "admin" },
      valves: {},
      userValves: {},
      metadata: { chat_id: "c1" },
      canCall: true,
      ...context,
    },
  };
}

const invoke = (definition: unknown, invokeRequest: InvokeRequest, host: SluiceHost = fakeHost()) =>
  invokePlugin(findPlugin({ default: definition }), invokeRequest, host);

const body = { model: "m", messages: [{ role: "user", content: "hi" }] };

describe("invokePlugin: results", () => {
  it("returns the hook's replacement body, or the payload when it returns nothing", async () => {
    const replaces = defineFilter({ inlet: () => ({ model: "other", messages: [] }) });
    expect(await invoke(replaces, request("inlet", body))).toEqual({ ok: true, value: { model: "other", messages: [] } });
    const mutates = defineFilter({
      outlet(chat) {
        chat.model = "changed";
      },
    });
    expect(await invoke(mutates, request("outlet", { ...body }))).toEqual({ ok: true, value: { ...body, model: "changed" } });
  });

  it("runs a filter's request hook like inlet, and passes a filter without one through", async () => {
    const stamps = defineFilter({ request: (chat) => ({ ...chat, temperature: 0 }) });
    expect(await invoke(stamps, request("request", body))).toEqual({ ok: true, value: { ...body, temperature: 0 } });
    const inletOnly = defineFilter({ inlet: (chat) => chat });
    expect(await invoke(inletOnly, request("request", body))).toEqual({ ok: true, value: body });
    const broken = defineFilter({ request: () => 42 as never });
    expect(await invoke(broken, request("request", body))).toMatchObject({ ok: false, error: { code: "PLUGIN_ERROR" } });
  });

  it("drops a stream chunk on null and keeps it on undefined", async () => {
    const filter = defineFilter({ stream: (event) => (event.choices.length ? undefined : null) });
    const chunk = { choices: [{ index: 0, delta: { content: "a" } }] };
    expect(await invoke(filter, request("stream", chunk))).toEqual({ ok: true, value: chunk });
    expect(await invoke(filter, request("stream", { choices: [] }))).toEqual({ ok: true, value: null });
  });

  it("collects a pipe's async iterable into chunks", async () => {
    const pipe = definePipe({
      async *pipe() {
        yield "a";
        yield { choices: [{ index: 0, delta: { content: "b" } }] };
      },
    });
    expect(await invoke(pipe, request("pipe", body))).toEqual({
      ok: true,
      value: null,
      chunks: ["a", { choices: [{ index: 0, delta: { content: "b" } }] }],
    });
    expect(await invoke(definePipe({ pipe: () => ["x", "y"][Symbol.iterator]() }), request("pipe", body))).toMatchObject({
      chunks: ["x", "y"],
    });
    expect(await invoke(definePipe({ pipe: () => undefined }), request("pipe", body))).toEqual({ ok: true, value: null });
  });

  it("runs an action with its entry id and returns what it returned", async () => {
    const action = defineAction({ actions: [{ id: "x", name: "X" }], action: (_chat, ctx) => ({ ran: ctx.id }) });
    expect(await invoke(action, request("action", { ...body, id: "m1" }, { id: "plugin.x" }))).toEqual({
      ok: true,
      value: { ran: "plugin.x" },
    });
  });

  it("validates tool arguments (also given as a JSON string) before executing", async () => {
    const tools = defineTools({
      tools: {
        add: { description: "Add", parameters: z.object({ a: z.number(), b: z.number().default(1) }), execute: ({ a, b }) => a + b },
      },
    });
    expect(await invoke(tools, request("tool", { a: 2 }, {}, "add"))).toEqual({ ok: true, value: 3 });
    expect(await invoke(tools, request("tool", '{"a": 5, "b": 5}', {}, "add"))).toEqual({ ok: true, value: 10 });
    expect(await invoke(tools, request("tool", { a: "2" }, {}, "add"))).toEqual({
      ok: false,
      error: {
        code: "INVALID_INPUT",
        message: 'Invalid arguments for tool "add": a: Invalid input: expected number, received string',
        stack: expect.any(String),
      },
    });
    expect(await invoke(tools, request("tool", "{oops", {}, "add"))).toMatchObject({
      ok: false,
      error: { code: "INVALID_INPUT", message: 'Invalid arguments for tool "add": not valid JSON' },
    });
  });
});

describe("invokePlugin: errors", () => {
  it("reports a plain throw as PLUGIN_ERROR with message and stack, and a SluiceError with its own code", async () => {
    const throws = defineFilter({
      inlet() {
        throw new Error("Limit reached");
      },
    });
    const result = await invoke(throws, request("inlet", body));
    expect(result).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_ERROR", message: "Limit reached", stack: expect.stringContaining("Limit reached") },
    });
    const denies = defineFilter({
      inlet() {
        throw new SluiceError("FORBIDDEN", "Admins only");
      },
    });
    expect(await invoke(denies, request("inlet", body))).toMatchObject({ ok: false, error: { code: "FORBIDDEN", message: "Admins only" } });
    const throwsText = defineFilter({
      inlet() {
        throw "just text";
      },
    });
    expect(await invoke(throwsText, request("inlet", body))).toEqual({ ok: false, error: { code: "PLUGIN_ERROR", message: "just text" } });
  });

  it("never rejects, even for a malformed request", async () => {
    const filter = defineFilter({ inlet: (chat) => chat });
    await expect(invokePlugin(findPlugin({ default: filter }), null as never, fakeHost())).resolves.toMatchObject({ ok: false });
    expect(await invoke(filter, request("inlet", "not a body"))).toMatchObject({
      ok: false,
      error: { code: "INVALID_INPUT", message: "The inlet hook needs an object, got a string" },
    });
    expect(await invoke(filter, request("action", body))).toMatchObject({
      ok: false,
      error: { code: "INVALID_INPUT", message: 'This filter plugin has no "action" hook' },
    });
  });

  it("refuses results that cannot cross the isolate boundary", async () => {
    const action = defineAction({ action: () => ({ run: () => 1 }) as never });
    expect(await invoke(action, request("action", body))).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_ERROR", message: "What action returned is not plain JSON data: result.run is a function" },
    });
  });
});

describe("invokePlugin: ctx", () => {
  it("builds ctx from the request: ids, user with user valves, metadata, valves with defaults", async () => {
    let seen: Record<string, unknown> = {};
    const filter = defineFilter({
      valves: z.object({ level: z.number().default(1) }),
      userValves: z.object({ loud: z.boolean().default(false) }),
      inlet(_chat, ctx) {
        seen = {
          id: ctx.id,
          user: ctx.user,
          valves: ctx.valves,
          metadata: ctx.metadata,
          messages: ctx.messages,
          isFrozen: Object.isFrozen(ctx.valves),
        };
      },
    });
    await invoke(filter, request("inlet", body, { valves: { level: 3 }, userValves: {}, messages: [{ role: "user", content: "x" }] }));
    expect(seen).toEqual({
      id: "plugin",
      user: { id: "u1", name: "Ada", email: "ada@example.com", role: "admin", valves: { loud: false } },
      valves: { level: 3 },
      metadata: { chat_id: "c1" },
      messages: [{ role: "user", content: "x" }],
      isFrozen: true,
    });
  });

  it("sends emit and log through the host with the invocation id", async () => {
    const host = fakeHost();
    const filter = defineFilter({
      async inlet(_chat, ctx) {
        await ctx.emit({ type: "notification", data: { type: "info", content: "hello" } });
        ctx.log.error("bad", new Error("x").message);
      },
    });
    await invoke(filter, request("inlet", body), host);
    expect(host.emitted).toEqual([["inv-1", { type: "notification", data: { type: "info", content: "hello" } }]]);
    expect(host.logged).toEqual([["inv-1", "error", "bad x"]]);
  });

  it("turns a host error result into a thrown SluiceError inside the plugin", async () => {
    const action = defineAction({
      async action(_chat, ctx) {
        try {
          await ctx.fetch("https://api.example.com/x");
          return "fetched";
        } catch (error) {
          return { code: (error as SluiceError).code, message: (error as SluiceError).message };
        }
      },
    });
    expect(await invoke(action, request("action", body))).toEqual({
      ok: true,
      value: { code: "PERMISSION_DENIED", message: "api.example.com is not in this plugin's permissions" },
    });
  });

  it("sends fetch requests in the host's shape", async () => {
    const requests: unknown[] = [];
    const host = fakeHost({
      fetch: async (_id, fetchRequest) => {
        requests.push(fetchRequest);
        return {
          ok: true,
          value: { status: 404, statusText: "Not Found", headers: { "x-id": "7" }, bodyId: "b1", url: fetchRequest.url },
        };
      },
      fetchRead: async () => ({ ok: true, value: chunks.shift() ?? null }),
    });
    const chunks = [new TextEncoder().encode('{"error":'), new TextEncoder().encode('"none"}')];
    const action = defineAction({
      async action(_chat, ctx) {
        const response = await ctx.fetch("https://api.example.com/items", { method: "post", headers: [["X-Key", "k"]], body: "{}" });
        return { ok: response.ok, status: response.status, id: response.headers.get("x-id"), json: await response.json() };
      },
    });
    expect(await invoke(action, request("action", body), host)).toEqual({
      ok: true,
      value: { ok: false, status: 404, id: "7", json: { error: "none" } },
    });
    expect(requests).toEqual([{ url: "https://api.example.com/items", method: "POST", headers: { "x-key": "k" }, body: "{}" }]);
  });

  it("refuses a non-string fetch body and an emitted event without a type", async () => {
    const action = defineAction({
      async action(_chat, ctx) {
        const errors: string[] = [];
        await ctx.fetch("https://x", { body: { a: 1 } as never }).catch((error: Error) => errors.push(error.message));
        await ctx.emit({ data: 1 } as never).catch((error: Error) => errors.push(error.message));
        return { errors };
      },
    });
    expect(await invoke(action, request("action", body))).toEqual({
      ok: true,
      value: {
        errors: [
          'ctx.fetch: "body" must be a string, a Uint8Array, an ArrayBuffer, URLSearchParams, FormData or a Blob, got an object (serialise JSON with JSON.stringify)',
          "ctx.emit expects { type: string, data }, got an object",
        ],
      },
    });
  });

  it("aborts ctx.signal through abortInvocation", async () => {
    let abort: () => boolean = () => false;
    const pipe = definePipe({
      pipe: (_chat, ctx) =>
        new Promise((resolve) => {
          ctx.signal.onabort = () => resolve(`stopped: ${(ctx.signal.reason as Error).name}`);
          abort = () => abortInvocation("inv-1", "gone");
          abort();
        }),
    });
    expect(await invoke(pipe, request("pipe", body))).toEqual({ ok: true, value: "stopped: AbortError" });
    expect(abortInvocation("inv-1")).toBe(false);
  });
});
