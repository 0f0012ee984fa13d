/**
 * The rounds of a turn, driven through `startChatTurn` (which prepares the model, filters, tools
 * and the event sink the rounds get) over in-memory ports.
 */
import { describe, expect, it } from "vitest";
import { SluiceError, type StreamEvent } from "@sluice/sdk";
import type { ChatRequest } from "./chat-request.ts";
import { ChatTasks } from "./chat-tasks.ts";
import type { ToolSet } from "./resolve-tools.ts";
import { forwardable } from "./run-model-rounds.ts";
import { startChatTurn } from "./start-chat-turn.ts";
import { ADA, functionRecord, InMemoryWorld, readAnswer, textChunks, toolCallChunk, toolRecord } from "./testing/in-memory-ports.ts";

const FORECAST = { name: "forecast", description: "The weather", parameters: { type: "object", properties: { city: { type: "string" } } } };

function request(fields: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: "gpt-small",
    messages: [{ role: "user", content: "Weather in Oslo?" }],
    stream: true,
    chat_id: "c1",
    id: "a1",
    ...fields,
  };
}

function newWorld(): InMemoryWorld {
  const world = new InMemoryWorld();
  world.chats.set("c1", { userId: ADA.id, title: "Chat", messages: [{ id: "u1", role: "user", content: "Weather in Oslo?" }] });
  return world;
}

function start(world: InMemoryWorld, fields: Partial<ChatRequest> = {}, signal = new AbortController().signal) {
  return startChatTurn(world.ports, { user: ADA, request: request(fields), signal });
}

/** A weather tool, and a model that calls it until it has its result. */
function addWeather(world: InMemoryWorld, forecast: (city: string) => string = (city) => `sunny in ${city}`) {
  world.addTool(toolRecord("weather"), {
    descriptor: { kind: "tools", tools: [FORECAST] },
    hooks: { tool: (args) => forecast((args as { city: string }).city) },
  });
  world.addUpstreamModel("gpt-small", (body) => {
    const result = (body.messages as Array<{ role: string; content: string }>).find((message) => message.role === "tool");
    return result
      ? textChunks(`Forecast: ${result.content}.`)
      : [toolCallChunk({ id: "call_1", name: "forecast", arguments: '{"city":"Oslo"}' })];
  });
}

const savedAnswer = (world: InMemoryWorld) => world.chats.get("c1")!.messages.find((message) => message.id === "a1");

/** Reads a turn to its end; what came, and the error it ended with. */
async function readUntilError(chunks: AsyncIterable<StreamEvent>): Promise<{ text: string; error: unknown }> {
  let text = "";
  try {
    for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? "";
  } catch (error) {
    return { text, error };
  }
  return { text, error: undefined };
}

describe("runModelRounds: the request hook", () => {
  it("runs before every model call of the turn, each tool round too, and changes only what is sent", async () => {
    const world = newWorld();
    addWeather(world);
    world.addFunction(functionRecord("stamp", "filter"), {
      hooks: {
        inlet: (body) => body,
        request: (body) => {
          const typed = body as { messages: Array<Record<string, unknown>> };
          return { ...typed, messages: [{ role: "system", content: `Round of ${typed.messages.length} messages` }, ...typed.messages] };
        },
      },
    });
    const answer = await readAnswer((await start(world, { tool_ids: ["weather"] })).chunks);

    expect(answer.text).toBe("Forecast: sunny in Oslo.");
    expect(world.calls.map((call) => call.hook)).toEqual(["inlet", "request", "forecast", "request"]);
    expect(world.upstreamBodies.map((body) => (body.messages as Array<{ content: unknown }>)[0]!.content)).toEqual([
      "Round of 1 messages",
      "Round of 3 messages",
    ]);
    // Each round starts from the turn's own messages: the hook's system message is not sent twice.
    expect((world.upstreamBodies[1]!.messages as unknown[]).length).toBe(4);
    expect(world.upstreamBodies[1]!.tools).toEqual([{ type: "function", function: FORECAST }]);
  });

  it("ends the turn with the hook's error when it throws, saving that", async () => {
    const world = newWorld();
    world.addUpstreamModel("gpt-small", textChunks("never sent"));
    world.addFunction(functionRecord("gate", "filter"), {
      hooks: {
        request: () => {
          throw new Error("not now");
        },
      },
    });
    const turn = start(world);
    await expect(turn).rejects.toMatchObject({ code: "PLUGIN_ERROR", message: "not now" });
    expect(world.upstreamBodies).toEqual([]);
    expect(savedAnswer(world)).toMatchObject({ error: { content: "not now" } });
  });
});

describe("runModelRounds: tools", () => {
  it("offers the tools, runs the model's calls, and sends their results back for the next round", async () => {
    const world = newWorld();
    addWeather(world);
    const answer = await readAnswer((await start(world, { tool_ids: ["weather"], session_id: "tab-1" })).chunks);

    expect(answer.text).toBe("Forecast: sunny in Oslo.");
    expect(answer.finishReason).toBe("stop");
    expect(answer.chunks.some((chunk) => chunk.choices.some((choice) => choice.delta.tool_calls))).toBe(false);
    expect(world.upstreamBodies[0]!.tools).toEqual([{ type: "function", function: FORECAST }]);
    expect(world.upstreamBodies[1]!.messages).toEqual([
      { role: "user", content: "Weather in Oslo?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "forecast", arguments: '{"city":"Oslo"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: "sunny in Oslo" },
    ]);
    expect(world.eventsOf("status")).toEqual([
      { description: "Running tool forecast", done: false, action: "tool_call" },
      { description: "Ran tool forecast", done: true, action: "tool_call" },
    ]);
    expect(savedAnswer(world)).toMatchObject({ content: "Forecast: sunny in Oslo.", done: true });
  });

  it("gives the model a failing tool's error as its result, and says the tool failed", async () => {
    const world = newWorld();
    addWeather(world, () => {
      throw new Error("weather service down");
    });
    const answer = await readAnswer((await start(world, { tool_ids: ["weather"] })).chunks);
    expect(answer.text).toBe("Forecast: Error: weather service down.");
    expect(world.eventsOf("status").at(-1)).toEqual({ description: "Tool failed forecast", done: true, action: "tool_call", error: true });
  });

  it("stops at the round limit with a notice, finish reason length, and saves the notice too", async () => {
    const world = newWorld();
    world.settings.maxToolCallIterations = 2;
    world.addTool(toolRecord("weather"), { descriptor: { kind: "tools", tools: [FORECAST] }, hooks: { tool: () => "cloudy" } });
    world.addUpstreamModel("gpt-small", [toolCallChunk({ id: "call_1", name: "forecast", arguments: "{}" })]);
    const answer = await readAnswer((await start(world, { tool_ids: ["weather"] })).chunks);
    const notice = "\n\nStopped: the tool call limit of 2 rounds was reached.";
    expect(answer.text).toBe(notice);
    expect(answer.finishReason).toBe("length");
    expect(world.upstreamBodies).toHaveLength(2);
    expect(savedAnswer(world)!.content).toBe(notice);
  });

  it("passes the model's calls of the client's own tools to the client and runs nothing", async () => {
    const world = newWorld();
    const clientTool = { type: "function", function: { name: "open_file", parameters: {} } };
    world.addUpstreamModel("gpt-small", [toolCallChunk({ id: "call_9", name: "open_file", arguments: '{"path":"a.txt"}' })]);
    const answer = await readAnswer((await start(world, { tools: [clientTool] })).chunks);
    expect(answer.finishReason).toBe("tool_calls");
    expect(answer.chunks[0]!.choices[0]!.delta.tool_calls).toMatchObject([{ id: "call_9", function: { name: "open_file" } }]);
    expect(world.upstreamBodies).toHaveLength(1);
    expect(world.upstreamBodies[0]!.tools).toEqual([clientTool]);
  });

  it("adds up the usage of every round for a client that asks for it", async () => {
    const withUsage = (chunks: StreamEvent[]) =>
      chunks.map((chunk, index) => (index === chunks.length - 1 ? { ...chunk, usage: { total_tokens: 5 } } : chunk));
    const run = async (fields: Partial<ChatRequest>) => {
      const world = newWorld();
      world.addTool(toolRecord("weather"), { descriptor: { kind: "tools", tools: [FORECAST] }, hooks: { tool: () => "cloudy" } });
      world.addUpstreamModel("gpt-small", (body) =>
        withUsage(
          (body.messages as unknown[]).length > 1 ? textChunks("Cloudy.") : [toolCallChunk({ id: "c", name: "forecast", arguments: "{}" })],
        ),
      );
      const answer = await readAnswer((await start(world, { tool_ids: ["weather"], ...fields })).chunks);
      return { usage: answer.chunks.at(-1)!.usage, saved: savedAnswer(world)!.usage };
    };
    expect(await run({ stream_options: { include_usage: true } })).toEqual({ usage: { total_tokens: 10 }, saved: { total_tokens: 10 } });
    expect(await run({ stream: false })).toMatchObject({ usage: { total_tokens: 10 } });
    expect(await run({})).toEqual({ usage: undefined, saved: { total_tokens: 10 } });
  });
});

describe("runModelRounds: stops and errors", () => {
  it("ends an answer the user stopped with finish reason stop, saving what came, without the outlet", async () => {
    const world = newWorld();
    world.addUpstreamModel("gpt-small", textChunks("One ", "two ", "three."));
    world.addFunction(functionRecord("footnote", "filter"), { hooks: { outlet: (body) => body } });
    const tasks = new ChatTasks();
    const controller = new AbortController();
    tasks.start({ userId: ADA.id, chatId: "c1", taskId: "a1", controller });

    const turn = await start(world, { session_id: "tab-1" }, controller.signal);
    const first = await turn.chunks.next();
    tasks.stop(ADA.id, "a1");
    const rest = await readAnswer(turn.chunks);

    expect(first.value?.choices[0]?.delta.content).toBe("One ");
    expect(rest.text).toBe("");
    expect(rest.finishReason).toBe("stop");
    expect(savedAnswer(world)).toMatchObject({ content: "One ", done: true });
    expect(savedAnswer(world)).not.toHaveProperty("error");
    expect(world.calls.filter((call) => call.hook === "outlet")).toEqual([]);
    expect(world.eventsOf("chat:completion").at(-1)).toEqual({ done: true, content: "One " });
    expect(world.openSessions).toBe(0);
  });

  it("saves what came before an error mid-stream, with the error, and throws it to the client", async () => {
    const world = newWorld();
    const halfAnswer = textChunks("Half an ans").slice(0, -1);
    world.addUpstreamModel("gpt-small", [...halfAnswer, new SluiceError("UPSTREAM_ERROR", "connection reset")]);
    const { text, error } = await readUntilError((await start(world, { session_id: "tab-1" })).chunks);
    expect(text).toBe("Half an ans");
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR", message: "connection reset" });
    expect(savedAnswer(world)).toMatchObject({ content: "Half an ans", error: { content: "connection reset" } });
    expect(world.eventsOf("chat:completion").at(-1)).toEqual({
      done: true,
      content: "Half an ans",
      error: { content: "connection reset" },
    });
    expect(world.openSessions).toBe(0);
  });

  it("says the server is stopping when it cuts an answer, whatever error the abort surfaced as", async () => {
    const world = newWorld();
    world.addFunction(functionRecord("agent", "pipe"), {
      descriptor: { kind: "pipe" },
      hooks: {
        pipe: async function* () {
          yield "Thinking";
          throw new Error("This operation was aborted");
        },
      },
    });
    const tasks = new ChatTasks();
    const controller = new AbortController();
    tasks.start({ userId: ADA.id, chatId: "c1", taskId: "a1", controller });
    const turn = await start(world, { model: "agent" }, controller.signal);
    tasks.interruptAll(new SluiceError("UNAVAILABLE", "The server is restarting"));
    const { text, error } = await readUntilError(turn.chunks);
    expect(text).toBe("Thinking");
    expect(error).toMatchObject({ code: "UNAVAILABLE", message: "The server is restarting" });
    expect(savedAnswer(world)).toMatchObject({ content: "Thinking", error: { content: "The server is restarting" } });
  });

  it("stops an answer past the length limit, keeping what came before", async () => {
    const world = newWorld();
    world.settings.maxAnswerCharacters = 10;
    world.addUpstreamModel("gpt-small", textChunks("12345678", "90abc"));
    const { text, error } = await readUntilError((await start(world)).chunks);
    expect(text).toBe("12345678");
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect(savedAnswer(world)).toMatchObject({
      content: "12345678",
      error: { content: expect.stringContaining("CHAT_RESPONSE_MAX_CHARACTERS") },
    });
  });

  it("lets go of the plugins when the client stops reading mid-answer", async () => {
    const world = newWorld();
    world.addUpstreamModel("gpt-small", textChunks("a", "b", "c"));
    const turn = await start(world);
    await turn.chunks.next();
    await turn.chunks.next();
    expect(world.openSessions).toBe(1);
    await turn.chunks.return();
    expect(world.openSessions).toBe(0);
  });
});

describe("runModelRounds: what is saved and shown", () => {
  it("saves plugins' message and replace events with the model's text, in the order they came", async () => {
    const world = newWorld();
    world.addFunction(functionRecord("agent", "pipe"), {
      descriptor: { kind: "pipe" },
      hooks: {
        pipe: async function* (_body, context) {
          await context.events.emit({ type: "message", data: { content: "Searching…\n" } });
          yield "Found: card 1234";
          await context.events.emit({ type: "replace", data: { content: "Found: card ****" } });
          yield ". Done.";
        },
      },
    });
    const answer = await readAnswer((await start(world, { model: "agent" })).chunks);
    expect(answer.text).toBe("Found: card 1234. Done.");
    expect(savedAnswer(world)!.content).toBe("Found: card ****. Done.");
  });

  it("sends a browser snapshots of the answer while it streams; an API caller gets none", async () => {
    const ui = newWorld();
    ui.addUpstreamModel("gpt-small", textChunks("Hel", "lo"));
    await readAnswer((await start(ui, { session_id: "tab-1" })).chunks);
    const snapshots = ui.eventsOf("chat:completion");
    expect(snapshots[0]).toEqual({ content: "Hel" });
    expect(snapshots.at(-1)).toEqual({ done: true, content: "Hello" });

    const api = newWorld();
    api.addUpstreamModel("gpt-small", textChunks("Hel", "lo"));
    await readAnswer((await start(api)).chunks);
    expect(api.eventsOf("chat:completion")).toEqual([]);
    expect(savedAnswer(api)!.content).toBe("Hello");
  });
});

describe("forwardable", () => {
  const noTools: ToolSet = { specs: [], has: () => false, execute: async () => [], list: () => [], call: async () => null };
  const serverTools: ToolSet = { ...noTools, specs: [{ type: "function", function: FORECAST }], has: (name) => name === "forecast" };
  const chunkWith = (delta: Record<string, unknown>, extra: Partial<StreamEvent> = {}): StreamEvent => ({
    id: "x",
    choices: [{ index: 0, delta, finish_reason: "tool_calls" }],
    usage: { total_tokens: 3 },
    ...extra,
  });
  const calls = [{ index: 0, id: "c", type: "function" as const, function: { name: "forecast", arguments: "{}" } }];

  it("hides the calls of tools the server runs, and drops a chunk that held nothing else", () => {
    expect(forwardable(chunkWith({ tool_calls: calls }), serverTools)).toBeNull();
    expect(forwardable(chunkWith({ content: "Let me look", tool_calls: calls }), serverTools)).toEqual({
      id: "x",
      choices: [{ index: 0, delta: { content: "Let me look" }, finish_reason: null }],
    });
  });

  it("keeps tool calls when the server runs no tools: they are the client's", () => {
    expect(forwardable(chunkWith({ tool_calls: calls }), noTools)!.choices[0]!.delta.tool_calls).toEqual(calls);
  });

  it("leaves the finish reason and usage to the turn's last chunk", () => {
    expect(forwardable(chunkWith({}), noTools)).toBeNull();
    expect(forwardable(chunkWith({ role: "assistant", content: "" }), noTools)).toMatchObject({ choices: [{ finish_reason: null }] });
    expect(forwardable(chunkWith({ content: "hi" }), noTools)).not.toHaveProperty("usage");
  });
});
