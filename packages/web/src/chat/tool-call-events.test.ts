import { describe, expect, it } from "vitest";
import { applyChatEvent } from "./apply-chat-event.ts";
import type { ChatMessage } from "./chat-types.ts";

const answer: ChatMessage = { id: "a1", parentId: "u1", childrenIds: [], role: "assistant", content: "", done: false };

describe("chat:message:tool_call events", () => {
  it("adds a call as it starts and replaces it in place with its result", () => {
    const started = applyChatEvent(answer, {
      type: "chat:message:tool_call",
      data: { id: "c1", name: "get_weather", arguments: '{"city":"Oslo"}', done: false },
    });
    const second = applyChatEvent(started, { type: "chat:message:tool_call", data: { id: "c2", name: "other", done: false } });
    const finished = applyChatEvent(second, {
      type: "chat:message:tool_call",
      data: { id: "c1", name: "get_weather", arguments: '{"city":"Oslo"}', done: true, result: "Error: no such city", error: true },
    });
    expect(finished.toolCalls).toEqual([
      { id: "c1", name: "get_weather", arguments: '{"city":"Oslo"}', done: true, result: "Error: no such city", error: true },
      { id: "c2", name: "other", done: false },
    ]);
  });

  it("ignores a call without an id or a name", () => {
    expect(applyChatEvent(answer, { type: "chat:message:tool_call", data: { name: "x" } })).toBe(answer);
    expect(applyChatEvent(answer, { type: "chat:message:tool_call", data: "nope" })).toBe(answer);
  });
});
