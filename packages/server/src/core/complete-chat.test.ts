import { describe, expect, it } from "vitest";
import { completeChat, type CompleteChatInput } from "./complete-chat.ts";
import { ADA, functionRecord, InMemoryWorld, modelRecord, readAnswer, textChunks } from "./testing/in-memory-ports.ts";

function worldWithShout(): InMemoryWorld {
  const world = new InMemoryWorld();
  world.addUpstreamModel("gpt-small", (body) =>
    textChunks("echo: ", String((body.messages as Array<{ content: unknown }>).at(-1)!.content)),
  );
  world.addFunction(functionRecord("shout", "filter"), {
    hooks: {
      inlet: (body) => {
        const typed = body as { messages: Array<{ content: string }> };
        return { ...typed, messages: typed.messages.map((message) => ({ ...message, content: message.content.toUpperCase() })) };
      },
    },
  });
  return world;
}

function input(fields: Partial<CompleteChatInput["request"]> = {}, options: Partial<CompleteChatInput> = {}): CompleteChatInput {
  return {
    user: ADA,
    request: { model: "gpt-small", messages: [{ role: "user", content: "hello" }], ...fields },
    filters: true,
    depth: 0,
    signal: new AbortController().signal,
    ...options,
  };
}

describe("completeChat", () => {
  it("answers a chat.completion through the pipeline, the model's filters included", async () => {
    const world = worldWithShout();
    const result = await completeChat(world.ports, input());
    expect(result).toEqual({
      completion: expect.objectContaining({
        object: "chat.completion",
        model: "gpt-small",
        choices: [{ index: 0, message: { role: "assistant", content: "echo: HELLO" }, finish_reason: "stop" }],
      }),
    });
    expect(world.calls.map((call) => `${call.pluginId}.${call.hook}`)).toEqual(["shout.inlet"]);
    expect(world.openSessions).toBe(0);
  });

  it("skips the filters when asked (Open WebUI's bypass_filter)", async () => {
    const world = worldWithShout();
    const result = await completeChat(world.ports, input({}, { filters: false }));
    expect("completion" in result && result.completion.choices[0]!.message.content).toBe("echo: hello");
    expect(world.calls).toEqual([]);
  });

  it("streams the chunks with stream: true", async () => {
    const world = worldWithShout();
    const result = await completeChat(world.ports, input({ stream: true }));
    if (!("chunks" in result)) throw new Error("expected chunks");
    const answer = await readAnswer(result.chunks);
    expect(answer.text).toBe("echo: HELLO");
    expect(answer.finishReason).toBe("stop");
    expect(world.openSessions).toBe(0);
  });

  it("belongs to no chat: it saves nothing, even when the request names a chat and a message", async () => {
    const world = worldWithShout();
    world.chats.set("c1", { userId: ADA.id, title: "Chat", messages: [] });
    await completeChat(world.ports, input({ chat_id: "c1", id: "a1", session_id: "tab-1" }));
    expect(world.chats.get("c1")!.messages).toEqual([]);
    expect(world.calls[0]!.metadata).toMatchObject({ chat_id: "", message_id: null, session_id: null });
  });

  it("refuses a model the user may not use with FORBIDDEN", async () => {
    const world = worldWithShout();
    world.modelRows.set("gpt-small", modelRecord("gpt-small", { access_control: {} }));
    await expect(completeChat(world.ports, input())).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: 'ctx.models.complete: model "gpt-small" is not available to this user',
    });
    expect(world.upstreamBodies).toEqual([]);
  });

  it("bounds how deep calls nest: a pipe calling its own model ends with an error, not a loop", async () => {
    const world = new InMemoryWorld();
    world.settings.maxModelCallDepth = 2;
    world.addFunction(functionRecord("echo_self", "pipe"), { descriptor: { kind: "pipe" }, hooks: { pipe: () => "answered" } });
    await expect(completeChat(world.ports, input({ model: "echo_self" }, { depth: 2 }))).rejects.toMatchObject({
      code: "PLUGIN_ERROR",
      message: expect.stringContaining("nested 3 deep, past the limit of 2 (PLUGIN_MODEL_CALL_MAX_DEPTH)"),
    });
    expect(world.calls).toEqual([]);

    // Within the bound the call runs, and its plugins' own calls know how deep they are.
    const ports = world.ports;
    const depths: unknown[] = [];
    const open = ports.plugins.open;
    ports.plugins.open = (scope) => (depths.push(scope.depth), open(scope));
    await expect(completeChat(ports, input({ model: "echo_self" }, { depth: 1 }))).resolves.toMatchObject({
      completion: { choices: [{ message: { content: "answered" } }] },
    });
    expect(depths).toEqual([2]);
  });
});
