import { describe, expect, it } from "vitest";
import type { ChatMessage, MessageTree } from "./chat-types.ts";
import { applyActionResult, applyChatEvent, applyCompletionUpdate, applyEnvelopeToTree } from "./apply-chat-event.ts";
import { addMessage, branchOf, EMPTY_TREE, treeOfChat } from "./message-tree.ts";
import { parseCompletionChunk } from "./stream-chat-completion.ts";

function answer(fields: Partial<ChatMessage> = {}): ChatMessage {
  return { id: "a1", parentId: "u1", childrenIds: [], role: "assistant", content: "", done: false, ...fields };
}

function conversation(): MessageTree {
  const question: ChatMessage = { id: "u1", parentId: null, childrenIds: [], role: "user", content: "hi" };
  return addMessage(addMessage(EMPTY_TREE, question), answer());
}

describe("streaming an answer", () => {
  it("reads content deltas, usage and error chunks from SSE payloads", () => {
    expect(parseCompletionChunk('{"choices":[{"delta":{"role":"assistant","content":"Hel"}}]}')).toEqual([
      { type: "delta", content: "Hel" },
    ]);
    expect(parseCompletionChunk('{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"total_tokens":3}}')).toEqual([
      { type: "usage", usage: { total_tokens: 3 } },
    ]);
    expect(
      parseCompletionChunk(
        '{"error":{"detail":"turn_limit (inlet): Limit reached","code":"PLUGIN_ERROR","plugin_id":"turn_limit","hook":"inlet"}}',
      ),
    ).toEqual([{ type: "error", detail: "turn_limit (inlet): Limit reached", pluginId: "turn_limit", hook: "inlet" }]);
    expect(parseCompletionChunk('{"error":{"message":"upstream exploded"}}')).toEqual([{ type: "error", detail: "upstream exploded" }]);
    expect(parseCompletionChunk("[DONE]")).toEqual([]);
    expect(parseCompletionChunk("not json")).toEqual([]);
  });

  it("appends deltas until the answer is done, then ignores late ones", () => {
    let message = answer();
    for (const piece of ["You", " said:", " hi"]) message = applyCompletionUpdate(message, { type: "delta", content: piece });
    expect(message.content).toBe("You said: hi");
    message = applyChatEvent(
      message,
      { type: "chat:completion", data: { done: true, content: "You said: hi [checked]" } },
      { isStreamingHere: true },
    );
    expect(message).toMatchObject({ content: "You said: hi [checked]", done: true });
    expect(applyCompletionUpdate(message, { type: "delta", content: " late" }).content).toBe("You said: hi [checked]");
  });

  it("turns an error chunk into the message's error, keeping what came before", () => {
    const message = applyCompletionUpdate(answer({ content: "Partial " }), { type: "error", detail: "stream exploded" });
    expect(message).toMatchObject({ content: "Partial ", error: { content: "stream exploded" } });
  });
});

describe("plugin events on a message", () => {
  it("adds status lines in order", () => {
    let message = applyChatEvent(answer(), { type: "status", data: { description: "Searching…", done: false } });
    message = applyChatEvent(message, { type: "status", data: { description: "Found 3", done: true } });
    expect(message.statusHistory).toEqual([
      { description: "Searching…", done: false },
      { description: "Found 3", done: true },
    ]);
  });

  it("appends with message and replaces with replace", () => {
    let message = applyChatEvent(answer({ content: "Hello" }), { type: "message", data: { content: " world" } });
    expect(message.content).toBe("Hello world");
    message = applyChatEvent(message, { type: "replace", data: { content: "Replaced" } });
    expect(message.content).toBe("Replaced");
    expect(applyChatEvent(message, { type: "replace", data: "not an object" }).content).toBe("Replaced");
  });

  it("lists citations, but not typed sources", () => {
    const citation = {
      source: { name: "Docs", url: "https://docs.example.com" },
      document: ["text"],
      metadata: [{ source: "https://docs.example.com" }],
    };
    let message = applyChatEvent(answer(), { type: "citation", data: citation });
    message = applyChatEvent(message, { type: "source", data: { type: "code_execution", id: "x" } });
    expect(message.sources).toEqual([citation]);
  });

  it("merges files by id, newest first", () => {
    let message = applyChatEvent(answer(), { type: "files", data: { files: [{ id: "f1", name: "old.txt" }] } });
    message = applyChatEvent(message, {
      type: "chat:message:files",
      data: {
        files: [
          { id: "f2", name: "b.png" },
          { id: "f1", name: "new.txt" },
        ],
      },
    });
    expect(message.files).toEqual([
      { id: "f2", name: "b.png" },
      { id: "f1", name: "new.txt" },
    ]);
  });

  it("skips other tabs' content snapshots while this tab streams, and takes them otherwise", () => {
    const snapshot = { type: "chat:completion", data: { content: "You said" } };
    expect(applyChatEvent(answer({ content: "You said: hi" }), snapshot, { isStreamingHere: true }).content).toBe("You said: hi");
    expect(applyChatEvent(answer({ content: "" }), snapshot, { isStreamingHere: false }).content).toBe("You said");
  });

  it("shows a chat:completion error and ends the answer", () => {
    const message = applyChatEvent(answer({ content: "Partial" }), {
      type: "chat:completion",
      data: { done: true, content: "Partial", error: { content: "pipe blew up" } },
    });
    expect(message).toMatchObject({ done: true, content: "Partial", error: { content: "pipe blew up" } });
  });

  it("leaves unknown events alone", () => {
    const message = answer({ content: "x" });
    expect(applyChatEvent(message, { type: "my-plugin:progress", data: { percent: 40 } })).toBe(message);
  });
});

describe("events, outlets and actions on the conversation", () => {
  it("applies an event to the message it names only", () => {
    const tree = applyEnvelopeToTree(conversation(), "a1", { type: "status", data: { description: "Thinking", done: false } });
    expect(tree.messages.a1!.statusHistory).toHaveLength(1);
    expect(tree.messages.u1!.statusHistory).toBeUndefined();
    expect(applyEnvelopeToTree(tree, "missing", { type: "replace", data: { content: "x" } })).toBe(tree);
  });

  it("patches the messages a chat:outlet names, keeping the original content", () => {
    let tree = applyEnvelopeToTree(conversation(), "a1", { type: "message", data: { content: "You said: hi" } });
    tree = applyEnvelopeToTree(tree, "a1", {
      type: "chat:outlet",
      data: { messages: [{ id: "a1", role: "assistant", content: "You said: hi [checked]" }] },
    });
    expect(tree.messages.a1).toMatchObject({
      content: "You said: hi [checked]",
      originalContent: "You said: hi",
      done: true,
      parentId: "u1",
    });
  });

  it("applies an action's {content} to the pressed message and {messages} by id", () => {
    let tree = applyEnvelopeToTree(conversation(), "a1", { type: "replace", data: { content: "Long answer" } });
    tree = applyActionResult(tree, "a1", { content: "Summary" });
    expect(tree.messages.a1).toMatchObject({ content: "Summary", originalContent: "Long answer" });
    tree = applyActionResult(tree, "a1", {
      messages: [
        { id: "u1", content: "edited question" },
        { id: "nope", content: "x" },
      ],
    });
    expect(tree.messages.u1!.content).toBe("edited question");
    expect(Object.keys(tree.messages)).toEqual(["u1", "a1"]);
    expect(applyActionResult(tree, "a1", "ignored")).toBe(tree);
  });
});

describe("message tree", () => {
  it("links new messages to their parent and follows the branch on screen", () => {
    const tree = conversation();
    expect(tree.messages.u1!.childrenIds).toEqual(["a1"]);
    expect(branchOf(tree).map((message) => message.id)).toEqual(["u1", "a1"]);
  });

  it("builds a tree from a chat stored without history", () => {
    const tree = treeOfChat({
      title: "t",
      messages: [{ id: "m1", role: "user", content: "q" } as ChatMessage, { id: "m2", role: "assistant", content: "a" } as ChatMessage],
    });
    expect(branchOf(tree).map((message) => [message.id, message.parentId])).toEqual([
      ["m1", null],
      ["m2", "m1"],
    ]);
  });
});

describe("follow-ups", () => {
  it("sets the message's follow-up questions, keeping only text", () => {
    const message = applyChatEvent(answer(), { type: "chat:message:follow_ups", data: { follow_ups: ["Why?", 7, "How?"] } });
    expect(message.followUps).toEqual(["Why?", "How?"]);
  });
});
