import { readFileSync } from "node:fs";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { InvokeRequest } from "@sluice/sdk/runtime";
import { loadPlugin, type LoadedPlugin } from "../../packages/server/src/plugins/load-plugin.ts";
import type { InvocationHandlers } from "../../packages/server/src/sandbox/invocation-handlers.ts";

// The other tests run each example in-process with @sluice/sdk/testing; this one loads every
// example the way the server stores it (frontmatter, compile, isolate) and runs a hook there, so an
// example that needs something the sandbox lacks fails here.

const loaded: LoadedPlugin[] = [];
afterAll(() => {
  for (const plugin of loaded) plugin.sandbox.dispose();
});

async function load(
  file: string,
  pluginId: string,
  expectedNamespace: "function" | "tool",
  host?: InvocationHandlers,
): Promise<LoadedPlugin> {
  const source = readFileSync(new URL(file, import.meta.url), "utf8");
  const plugin = await loadPlugin(source, { pluginId, expectedNamespace, logger: pino({ level: "silent" }), ...(host && { host }) });
  loaded.push(plugin);
  return plugin;
}

const user = { id: "u1", name: "Ada", email: "ada@example.com", role: "user" };
function request(
  hook: InvokeRequest["hook"],
  payload: unknown,
  context: Partial<InvokeRequest["context"]> = {},
  toolName?: string,
): Omit<InvokeRequest, "invocationId"> {
  return {
    hook,
    payload,
    ...(toolName && { toolName }),
    context: {
      id: "example",
      user,
      valves: {},
      userValves: {},
      metadata: { chat_id: "c1", message_id: "m1", session_id: "s1" },
      canCall: true,
      ...context,
    },
  };
}

async function run(plugin: LoadedPlugin, invokeRequest: Omit<InvokeRequest, "invocationId">, handlers: InvocationHandlers = {}) {
  const result = await plugin.sandbox.invoke(invokeRequest, handlers);
  if (!result.ok) throw result.error;
  return result.value;
}

describe("the examples in a real sandbox", () => {
  it("turn-limit", async () => {
    const plugin = await load("./turn-limit.ts", "turn_limit", "function");
    expect(plugin.manifest).toMatchObject({ title: "Turn Limit", version: "1.2.0" });
    const events: unknown[] = [];
    const body = { model: "m", messages: [{ role: "user", content: "hi" }] };
    expect(await run(plugin, request("inlet", body), { emit: (event) => void events.push(event) })).toEqual(body);
    expect(events).toEqual([{ type: "status", data: { description: "Turn 1 of 4", done: true } }]);
  });

  it("redact-emails, keeping held-back text between stream calls", async () => {
    const plugin = await load("./redact-emails.ts", "redact_emails", "function");
    const inlet = (await run(plugin, request("inlet", { model: "m", messages: [{ role: "user", content: "me@example.com" }] }), {
      emit: () => {},
    })) as { messages: Array<{ content: string }> };
    expect(inlet.messages[0]!.content).toBe("[email hidden]");
    const chunk = (content: string, finish: string | null = null) => ({
      id: "c",
      choices: [{ index: 0, delta: { content }, finish_reason: finish }],
    });
    const shown = [];
    for (const piece of ["mail ada@", "example.org", " now"]) shown.push(await run(plugin, request("stream", chunk(piece))));
    shown.push(await run(plugin, request("stream", chunk("", "stop"))));
    expect(shown.map((event) => (event as ReturnType<typeof chunk> | null)?.choices[0]!.delta.content ?? "").join("")).toBe(
      "mail [email hidden] now",
    );
  });

  it("openai-manifold, answering ctx.fetch on the host", async () => {
    const requests: unknown[] = [];
    // In place of the network: the sandbox-wide fetch the server would check against permissions.
    const fetch: InvocationHandlers["fetch"] = (fetchRequest) => {
      requests.push(fetchRequest);
      const completion = { choices: [{ index: 0, message: { role: "assistant", content: "Hi from upstream" } }] };
      return {
        status: 200,
        statusText: "OK",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(completion),
        url: fetchRequest.url,
      };
    };
    const plugin = await load("./openai-manifold.ts", "openai_manifold", "function", { fetch });
    expect(plugin.manifest.permissions).toBe("network:api.openai.com");
    expect(plugin.descriptor).toMatchObject({ kind: "pipe", hasDynamicPipes: true, secretFields: ["apiKey"] });
    expect(await run(plugin, request("pipes", null, { user: null }))).toEqual([
      { id: "gpt-4o-mini", name: "OpenAI: gpt-4o-mini" },
      { id: "gpt-4_1", name: "OpenAI: gpt-4.1" },
    ]);
    const pipeRequest = request(
      "pipe",
      { model: "openai_manifold.gpt-4_1", messages: [{ role: "user", content: "hi" }] },
      {
        id: "openai_manifold.gpt-4_1",
        valves: { apiKey: "sk-test" },
        metadata: { subModel: "gpt-4_1" },
      },
    );
    expect(await run(plugin, pipeRequest)).toBe("Hi from upstream");
    expect(requests).toMatchObject([{ url: "https://api.openai.com/v1/chat/completions", headers: { authorization: "Bearer sk-test" } }]);
  });

  it("streaming-provider, reading server-sent events the host hands over chunk by chunk", async () => {
    const encoder = new TextEncoder();
    const pieces = [
      'data: {"choices":[{"delta":{"content":"Hel"}}]}\n',
      '\ndata: {"choices":[{"delta":{"con',
      'tent":"lo"}}]}\n\ndata: [DONE]\n\n',
    ];
    let reads = 0;
    const fetch: InvocationHandlers["fetch"] = (fetchRequest) => ({
      status: 200,
      statusText: "OK",
      headers: { "content-type": "text/event-stream" },
      body: (async function* () {
        for (const piece of pieces) {
          reads += 1;
          yield encoder.encode(piece);
        }
      })(),
      url: fetchRequest.url,
    });
    const plugin = await load("./streaming-provider.ts", "streaming_provider", "function", { fetch });
    const result = await plugin.sandbox.invoke(
      request("pipe", { model: "streaming_provider", messages: [{ role: "user", content: "hi" }] }, { valves: { apiKey: "sk-test" } }),
      {},
    );
    expect(result).toMatchObject({ ok: true, chunks: ["Hel", "lo"] });
    expect(reads).toBe(pieces.length);
  });

  it("summarise-action, asking the browser through ctx.call", async () => {
    const plugin = await load("./summarise-action.ts", "summarise", "function");
    expect(plugin.descriptor.actions?.[0]).toMatchObject({
      id: "summarise",
      icon_url: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
    });
    const content = "One sentence here. Another sentence here. A third one. A fourth sentence follows.";
    const body = { model: "m", id: "r1", messages: [{ id: "r1", role: "assistant", content }] };
    const result = await run(plugin, request("action", body, { id: "summarise.summarise", valves: { sentences: 2 } }), {
      call: () => true,
    });
    expect(result).toMatchObject({ messages: [{ id: "r1" }] });
  });

  it("model-summary-action, calling a model through the host's service channel", async () => {
    const plugin = await load("./model-summary-action.ts", "model_summary", "function");
    const body = { model: "m", id: "r1", messages: [{ id: "r1", role: "assistant", content: "A long reply." }] };
    const served: Array<[string, unknown[]]> = [];
    const result = await run(plugin, request("action", body, { metadata: { chat_id: "c1" }, taskModel: "task-model" }), {
      serve: async (method, args) => {
        served.push([method, args]);
        return { object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Short." } }] };
      },
    });
    expect(result).toEqual({ content: "Short." });
    expect(served).toEqual([["models.complete", [expect.objectContaining({ model: "task-model", temperature: 0 }), { filters: true }]]]);
  });

  it("calculator-tools and clock-tools", async () => {
    const calculator = await load("./calculator-tools.ts", "calculator", "tool");
    expect(await run(calculator, request("tool", { expression: "2 ^ 10" }, {}, "calculate"))).toEqual({
      expression: "2 ^ 10",
      result: 1024,
    });
    expect(await run(calculator, request("tool", '{"expression":"1/0"}', {}, "calculate"))).toEqual({
      expression: "1/0",
      error: "Division by zero",
    });
    const clock = await load("./clock-tools.ts", "clock", "tool");
    expect(await run(clock, request("tool", { timeZone: "Asia/Tokyo" }, {}, "current_time"))).toMatchObject({
      timeZone: "Asia/Tokyo",
      utcOffset: "GMT+9",
    });
    expect(await run(clock, request("tool", { from: "2026-01-01", to: "2026-02-01" }, {}, "days_between"))).toMatchObject({ days: 31 });
  });

  it("bar-chart-tools, storing its PNG through the service channel", async () => {
    const plugin = await load("./bar-chart-tools.ts", "bar_chart", "tool");
    const created: Array<{ name: string; contentType: string; bytes: number }> = [];
    const events: unknown[] = [];
    const handlers: InvocationHandlers = {
      emit: async (event) => void events.push(event),
      serve: async (method, args) => {
        expect(method).toBe("files.create");
        const { name, contentType, base64 } = args[0] as { name: string; contentType: string; base64: string };
        created.push({ name, contentType, bytes: Buffer.from(base64, "base64").length });
        return { id: "f1", name, url: "/api/v1/files/f1/content" };
      },
    };
    const result = await run(plugin, request("tool", { title: "Pets", values: [2, 3] }, {}, "bar_chart"), handlers);
    expect(result).toEqual({ title: "Pets", file: "/api/v1/files/f1/content", bars: 2 });
    expect(created).toEqual([{ name: "pets.png", contentType: "image/png", bytes: expect.any(Number) }]);
    expect(created[0]!.bytes).toBeGreaterThan(320 * 160 * 3);
    expect(events).toEqual([{ type: "files", data: { files: [{ type: "image", url: "/api/v1/files/f1/content", name: "pets.png" }] } }]);
  });

  it("audit-log-events, writing to ctx.storage through the service channel, with no user", async () => {
    const plugin = await load("./audit-log-events.ts", "audit_log", "function");
    expect(plugin.descriptor).toMatchObject({ kind: "events", hooks: ["event"], events: ["*", "function.disable_started"] });
    const stored: unknown[][] = [];
    const handlers: InvocationHandlers = {
      serve: async (method, args) => {
        stored.push([method, ...args]);
        return null;
      },
    };
    const event = {
      id: "e1",
      name: "chat.deleted",
      subject: { type: "chat", id: "c1" },
      actor: user,
      ts: Date.UTC(2026, 0, 1),
      data: {},
    };
    await run(plugin, request("event", event, { user: null, metadata: { event_name: "chat.deleted" }, canCall: false }), handlers);
    expect(stored).toEqual([
      [
        "storage.set",
        "audit:001767225600000:e1",
        { name: "chat.deleted", subject: { type: "chat", id: "c1" }, actor: "ada@example.com", at: "2026-01-01T00:00:00.000Z", data: {} },
        { ttlSeconds: 90 * 24 * 60 * 60 },
      ],
    ]);
  });
});
