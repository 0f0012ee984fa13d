import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { ChatBody, StreamEvent } from "../index.ts";
import { defineAction, defineFilter, definePipe, defineTools, SluiceError } from "../index.ts";
import { createTestHarness } from "./index.ts";

const body = (userTurns = 1): ChatBody => ({
  model: "m",
  messages: Array.from({ length: userTurns }, (_, index) => ({ role: "user", content: `turn ${index}` })),
});

const chunk = (content: string): StreamEvent => ({ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content } }] });

const turnLimit = defineFilter({
  valves: z.object({ priority: z.number().default(0), maxTurns: z.number().int().min(1).default(8) }),
  userValves: z.object({ maxTurns: z.number().int().default(4) }),
  async inlet(chat, ctx) {
    const limit = Math.min(ctx.valves.maxTurns, ctx.user.valves.maxTurns);
    if (chat.messages.filter((message) => message.role === "user").length > limit) throw new Error(`Limit of ${limit} turns reached`);
    await ctx.emit({ type: "status", data: { description: "Turn limit checked", done: true } });
    return { ...chat, limit };
  },
});

describe("createTestHarness: filters", () => {
  it("runs inlet with valves (defaults applied) and records events", async () => {
    const harness = createTestHarness(turnLimit, { valves: { maxTurns: 3 } });
    const result = await harness.inlet(body(2));
    expect(result.limit).toBe(3);
    expect(harness.eventsOfType("status")).toEqual([{ type: "status", data: { description: "Turn limit checked", done: true } }]);
  });

  it("throws the plugin's error as a SluiceError with code PLUGIN_ERROR and the original as cause", async () => {
    const harness = createTestHarness(turnLimit, { userValves: { maxTurns: 1 } });
    const attempt = harness.inlet(body(2));
    await expect(attempt).rejects.toThrow(SluiceError);
    await expect(attempt).rejects.toMatchObject({
      code: "PLUGIN_ERROR",
      message: "Limit of 1 turns reached",
      hook: "inlet",
      pluginId: "test_plugin",
    });
    expect(((await attempt.catch((error: unknown) => error)) as SluiceError).cause).toBeInstanceOf(Error);
  });

  it("lets one call override valves, and rejects stored valves the schema refuses", async () => {
    const harness = createTestHarness(turnLimit);
    await expect(harness.inlet(body(5), { userValves: { maxTurns: 10 } })).resolves.toMatchObject({ limit: 8 });
    await expect(harness.inlet(body(1), { valves: { maxTurns: 0 } })).rejects.toMatchObject({
      code: "VALVES_INVALID",
      message: "The stored valves are invalid: maxTurns: Too small: expected number to be >=1",
    });
  });

  it("keeps the body when a hook returns nothing, drops a chunk on null, and passes through missing hooks", async () => {
    const filter = defineFilter({
      inlet(chat) {
        chat.messages.push({ role: "system", content: "added in place" });
      },
      stream(event) {
        return event.choices[0]?.delta.content === "drop" ? null : undefined;
      },
    });
    const harness = createTestHarness(filter);
    expect((await harness.inlet(body())).messages.at(-1)).toEqual({ role: "system", content: "added in place" });
    expect(await harness.stream(chunk("drop"))).toBeNull();
    expect(await harness.stream(chunk("keep"))).toEqual(chunk("keep"));
    const outletBody = { model: "m", messages: [{ role: "assistant", content: "x", id: "a1" }] };
    expect(await harness.outlet(outletBody)).toBe(outletBody);
  });

  it("refuses a hook result that is not a body or not plain JSON", async () => {
    const returnsText = createTestHarness(defineFilter({ inlet: () => "oops" as never }));
    await expect(returnsText.inlet(body())).rejects.toThrow("inlet returned a string; return the body (or nothing to keep it unchanged)");
    const returnsDate = createTestHarness(defineFilter({ outlet: (chat) => ({ ...chat, when: new Date(0) }) }));
    await expect(returnsDate.outlet({ model: "m", messages: [] })).rejects.toThrow(
      "What outlet returned is not plain JSON data: body.when is a Date (use toISOString())",
    );
  });
});

describe("createTestHarness: pipes", () => {
  it("collects the text of strings, completions, generators and SSE lines", async () => {
    expect(await createTestHarness(definePipe({ pipe: () => "plain" })).pipe(body())).toBe("plain");
    const completion = definePipe({
      pipe: () => ({
        id: "c",
        object: "chat.completion",
        created: 0,
        model: "m",
        choices: [{ index: 0, message: { role: "assistant", content: "done" }, finish_reason: "stop" }],
      }),
    });
    expect(await createTestHarness(completion).pipe(body())).toBe("done");
    const streaming = definePipe({
      async *pipe() {
        yield "Hel";
        yield chunk("lo");
        yield `data: ${JSON.stringify(chunk("!"))}`;
        yield "data: [DONE]";
      },
    });
    const harness = createTestHarness(streaming);
    expect(await harness.pipe(body())).toBe("Hello!");
    const raw = await harness.run("pipe", body());
    expect(raw.value).toBeNull();
    expect(raw.chunks).toHaveLength(4);
  });

  it("tells a manifold entry by ctx.metadata.subModel and ctx.id, and lists static and dynamic pipes", async () => {
    const manifold = definePipe({
      valves: z.object({ prefix: z.string().default("Model ") }),
      pipes: (ctx) => [{ id: "a", name: `${ctx.valves.prefix}A` }],
      pipe: (_chat, ctx) => `${ctx.id} ${ctx.metadata.subModel}`,
    });
    const harness = createTestHarness(manifold, { id: "multi" });
    expect(await harness.pipe(body(), { subModel: "a" })).toBe("multi.a a");
    expect(await harness.pipes()).toEqual([{ id: "a", name: "Model A" }]);
    expect(await createTestHarness(definePipe({ pipes: [{ id: "x", name: "X" }], pipe: () => "" })).pipes()).toEqual([
      { id: "x", name: "X" },
    ]);
  });

  it("checks what a dynamic pipes function returns", async () => {
    const harness = createTestHarness(definePipe({ pipes: () => [{ id: "a" }] as never, pipe: () => "" }));
    await expect(harness.pipes()).rejects.toThrow("the list returned by pipes()[0] must be { id: string, name: string }, got an object");
  });

  it("runs pipes() without a user but refuses other hooks without one", async () => {
    const harness = createTestHarness(definePipe({ pipes: (ctx) => [{ id: "u", name: String(ctx.user) }], pipe: () => "" }), {
      user: null,
    });
    expect(await harness.pipes()).toEqual([{ id: "u", name: "null" }]);
    await expect(harness.pipe(body())).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

describe("createTestHarness: actions, calls and fetch", () => {
  const shout = defineAction({
    actions: [{ id: "loud", name: "Loud" }],
    async action(chat, ctx) {
      const isSure = await ctx.call({ type: "confirmation", data: { title: "Shout?", message: "Really?" } });
      const name = await ctx.call({ type: "input", data: { title: "Name", message: "Who?" } });
      return { isSure, name, id: ctx.id, messages: [{ id: chat.id, content: "LOUD" }] };
    },
  });

  it("answers ctx.call from answerCalls, typed per dialog, and records the calls", async () => {
    const harness = createTestHarness(shout, { id: "shout", answerCalls: (event) => (event.type === "confirmation" ? true : "Ada") });
    const result = await harness.action({ model: "m", messages: [], id: "msg-1" }, { actionId: "loud" });
    expect(result).toEqual({ isSure: true, name: "Ada", id: "shout.loud", messages: [{ id: "msg-1", content: "LOUD" }] });
    expect(harness.calls.map((call) => [call.type, call.answer])).toEqual([
      ["confirmation", true],
      ["input", "Ada"],
    ]);
  });

  it("turns dismissed dialogs into false and an empty string", async () => {
    const harness = createTestHarness(shout, { answerCalls: () => false });
    expect(await harness.action({ model: "m", messages: [], id: "m" })).toMatchObject({ isSure: false, name: "" });
  });

  it("makes ctx.call reject like for an API caller when no answerCalls is given", async () => {
    await expect(createTestHarness(shout).action({ model: "m", messages: [], id: "m" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("ctx.metadata.session_id"),
    });
  });

  const lookup = defineTools({
    valves: z.object({ base: z.string().default("https://api.example.com") }),
    tools: {
      lookup: {
        description: "Look a word up",
        parameters: z.object({ word: z.string().min(1).describe("The word") }),
        async execute({ word }, ctx) {
          const response = await ctx.fetch(`${ctx.valves.base}/words/${word}`, { headers: { Accept: "application/json" } });
          return { status: response.status, type: response.headers.get("Content-Type"), data: await response.json() };
        },
      },
    },
  });

  it("answers ctx.fetch from the fetch option and records requests", async () => {
    const harness = createTestHarness(lookup, { fetch: () => ({ body: { meaning: "a greeting" } }) });
    expect(await harness.tool("lookup", { word: "hello" })).toEqual({
      status: 200,
      type: "application/json",
      data: { meaning: "a greeting" },
    });
    expect(harness.fetches).toEqual([
      { url: "https://api.example.com/words/hello", method: "GET", headers: { accept: "application/json" } },
    ]);
  });

  it("accepts a web Response from the fetch option", async () => {
    const harness = createTestHarness(lookup, {
      fetch: () => new Response('{"x":1}', { status: 201, headers: { "content-type": "application/json" } }),
    });
    expect(await harness.tool("lookup", { word: "a" })).toEqual({ status: 201, type: "application/json", data: { x: 1 } });
  });

  it("denies ctx.fetch without a fetch option", async () => {
    await expect(createTestHarness(lookup).tool("lookup", { word: "a" })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
  });

  it("validates tool arguments, naming the field", async () => {
    const harness = createTestHarness(lookup, { fetch: () => ({}) });
    await expect(harness.tool("lookup", { word: "" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: 'Invalid arguments for tool "lookup": word: Too small: expected string to have >=1 characters',
    });
    await expect(harness.tool("missing" as "lookup", { word: "a" })).rejects.toThrow('Unknown tool "missing": its tools are lookup');
    expectTypeOf(harness.tool).parameter(1).toEqualTypeOf<{ word: string }>();
  });

  it("aborts ctx.signal of running calls", async () => {
    const slow = definePipe({
      pipe: (_chat, ctx) =>
        new Promise<string>((resolve) =>
          ctx.signal.addEventListener("abort", () => resolve(`aborted: ${(ctx.signal.reason as Error).message}`)),
        ),
    });
    const harness = createTestHarness(slow);
    const reply = harness.pipe(body());
    await new Promise((resolve) => setTimeout(resolve, 5));
    harness.abort("client left");
    expect(await reply).toBe("aborted: client left");
  });
});

describe("createTestHarness: loading", () => {
  it("accepts classes and module namespaces, and exposes the descriptor", () => {
    class Filter {
      static valves = z.object({
        apiKey: z
          .string()
          .default("")
          .meta({ input: { type: "password" } }),
      });
      outlet(chat: ChatBody) {
        return chat;
      }
    }
    expect(createTestHarness(Filter).descriptor).toMatchObject({ kind: "filter", hooks: ["outlet"], secretFields: ["apiKey"] });
    expect(createTestHarness({ Filter, helper: 1 }).descriptor.kind).toBe("filter");
  });

  it("throws the loader's message for a malformed plugin", () => {
    expect(() => createTestHarness(definePipe({} as never))).toThrow('Malformed plugin (definePipe(…)): a pipe needs a "pipe" function');
  });

  it("validates valves like the server before storing them", () => {
    const harness = createTestHarness(turnLimit);
    expect(harness.validateValves("valves", { maxTurns: "4", priority: null })).toEqual({
      ok: false,
      issues: [{ path: "maxTurns", message: "Invalid input: expected number, received string" }],
    });
    expect(harness.validateValves("userValves", { maxTurns: 2 })).toEqual({
      ok: true,
      stored: { maxTurns: 2 },
      effective: { maxTurns: 2 },
    });
  });

  it("records logs and forgets everything on clear()", async () => {
    const harness = createTestHarness(
      defineFilter({
        async inlet(chat, ctx) {
          ctx.log.warn("seen", chat.messages.length, { a: 1 });
          await ctx.emit({ type: "my:event", data: [1] });
        },
      }),
    );
    await harness.inlet(body());
    expect(harness.logs).toEqual([{ level: "warn", message: 'seen 1 {"a":1}' }]);
    expect(harness.events).toEqual([{ type: "my:event", data: [1] }]);
    harness.clear();
    expect([harness.logs.length, harness.events.length]).toEqual([0, 0]);
  });
});

describe("ctx.storage in the test harness", () => {
  const counter = defineFilter({
    async inlet(chat, ctx) {
      const visits = ((await ctx.storage.user.get<number>("visits")) ?? 0) + 1;
      await ctx.storage.user.set("visits", visits);
      await ctx.storage.set("flash", "soon gone", { ttlSeconds: 0.05 });
      return { ...chat, messages: [...chat.messages, { role: "system", content: `visit ${visits}` }] };
    },
  });

  it("keeps the plugin's space and each user's in memory, with ttl, as the server would", async () => {
    const harness = createTestHarness(counter);
    await harness.inlet(body());
    const second = await harness.inlet(body());
    const other = await harness.inlet(body(), { user: { id: "user-2" } });
    expect([second.messages.at(-1)!.content, other.messages.at(-1)!.content]).toEqual(["visit 2", "visit 1"]);
    expect(harness.storage).toEqual({ plugin: { flash: "soon gone" }, user: { "user-1": { visits: 2 }, "user-2": { visits: 1 } } });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(harness.storage.plugin).toEqual({});
  });

  it("refuses a value that is not JSON data, and ctx.storage.user without a user", async () => {
    const pipe = definePipe({
      async pipes(ctx) {
        await ctx.storage.user.get("x");
        return [];
      },
      async pipe(_chat, ctx) {
        await ctx.storage.set("when", new Date(0));
        return "stored";
      },
    });
    const harness = createTestHarness(pipe);
    await expect(harness.pipe(body())).rejects.toThrow(/not plain JSON data: value is a Date/);
    await expect(harness.pipes({ user: null })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

describe("ctx.files in the test harness", () => {
  const reader = definePipe({
    async pipe(body, ctx) {
      const file = await ctx.files.read(String(body.messages.at(-1)?.content));
      return `${file.name} (${file.contentType}, ${file.size} bytes): ${await file.text()}`;
    },
  });

  it("reads the stored files of the harness's user, bytes and text, and no one else's", async () => {
    const harness = createTestHarness(reader, {
      storedFiles: [
        { id: "notes", name: "notes.txt", data: "Grüße" },
        { id: "theirs", name: "theirs.txt", data: "secret", userId: "someone-else" },
      ],
    });
    const ask = (content: string) => harness.pipe({ model: "m", messages: [{ role: "user", content }] });
    expect(await ask("notes")).toBe("notes.txt (text/plain, 7 bytes): Grüße");
    await expect(ask("theirs")).rejects.toMatchObject({ code: "NOT_FOUND", message: "File not found: theirs" });
    expect(harness.storedFiles.map((file) => file.id)).toEqual(["notes", "theirs"]);
  });
});

describe("ctx.chat in the test harness", () => {
  const namer = defineFilter({
    async outlet(body, ctx) {
      const chat = await ctx.chat.get();
      if (!chat) return body;
      const turns = ((await ctx.chat.meta.get<number>("turns")) ?? 0) + 1;
      await ctx.chat.meta.set("turns", turns);
      if (turns === 2) await ctx.chat.setTitle(`${chat.messages.length} messages, ${ctx.metadata.chat_id}`);
      return body;
    },
  });
  const body = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

  it("reads and changes the chat given, its title and the plugin's meta", async () => {
    const harness = createTestHarness(namer, {
      chat: { id: "c1", title: "New Chat", messages: [{ id: "m1", role: "user", content: "hi" }] },
    });
    await harness.outlet(body);
    expect(harness.chat).toMatchObject({ title: "New Chat", meta: { turns: 1 } });
    await harness.outlet(body);
    expect(harness.chat).toMatchObject({ id: "c1", title: "1 messages, c1", meta: { turns: 2 }, files: [] });
  });

  it("acts as an API call without a chat when none is given", async () => {
    const harness = createTestHarness(namer);
    await harness.outlet(body);
    expect(harness.chat).toBeNull();
    const writer = createTestHarness(defineFilter({ inlet: async (input, ctx) => void (await ctx.chat.meta.set("k", 1)) }));
    await expect(writer.inlet(body)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("ctx.tools in the harness", () => {
  it("lists and calls the tools the test offers, and records the calls", async () => {
    const agent = definePipe({
      async pipe(_body, ctx) {
        const names = (await ctx.tools.list()).map((tool) => tool.name);
        const sum = await ctx.tools.call("add", { a: 2, b: 3 });
        return `${names.join(",")}=${String(sum)}`;
      },
    });
    const harness = createTestHarness(agent, { tools: { add: { description: "Adds", run: ({ a, b }) => Number(a) + Number(b) } } });
    expect(await harness.pipe({ model: "m", messages: [{ role: "user", content: "go" }] })).toBe("add=5");
    expect(harness.toolCalls).toEqual([{ name: "add", args: { a: 2, b: 3 } }]);
    await expect(createTestHarness(agent).pipe({ model: "m", messages: [] })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
