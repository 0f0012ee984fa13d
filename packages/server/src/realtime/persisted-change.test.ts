import { describe, expect, it } from "vitest";
import type { ChatMessageRecord } from "../db/chat-data.ts";
import { persistedChange } from "./persisted-change.ts";

const message: ChatMessageRecord = { id: "a1", role: "assistant", content: "Hello" };

function apply(type: string, data: unknown, on: ChatMessageRecord = message) {
  const change = persistedChange({ type, data });
  return change && change(on);
}

describe("persistedChange", () => {
  it("appends status data to statusHistory", () => {
    const once = apply("status", { description: "Searching", done: false })!;
    const twice = apply("status", { description: "Done", done: true }, once as ChatMessageRecord);
    expect(twice?.statusHistory).toEqual([
      { description: "Searching", done: false },
      { description: "Done", done: true },
    ]);
  });

  it("appends message content and replaces with replace", () => {
    expect(apply("message", { content: ", world" })?.content).toBe("Hello, world");
    expect(apply("replace", { content: "Bye" })?.content).toBe("Bye");
  });

  it("merges files, newest first, replacing an entry with the same id or url", () => {
    const stored = { ...message, files: [{ id: "f1", name: "old" }, { url: "https://x/a.png" }] };
    const merged = apply("files", { files: [{ id: "f1", name: "new" }, { url: "https://x/b.png" }] }, stored);
    expect(merged?.files).toEqual([{ id: "f1", name: "new" }, { url: "https://x/b.png" }, { url: "https://x/a.png" }]);
    expect(apply("chat:message:files", { files: [{ id: "f2" }] })?.files).toEqual([{ id: "f2" }]);
  });

  it("adds tool calls and replaces each with its result by id, and refuses one without an id", () => {
    const started = apply("chat:message:tool_call", { id: "c1", name: "get_weather", arguments: "{}", done: false })!;
    const finished = apply(
      "chat:message:tool_call",
      { id: "c1", name: "get_weather", done: true, result: "ok" },
      started as ChatMessageRecord,
    );
    expect(finished?.toolCalls).toEqual([{ id: "c1", name: "get_weather", done: true, result: "ok" }]);
    expect(() => apply("chat:message:tool_call", { name: "get_weather" })).toThrow(/data.id/);
  });

  it("prepends embeds, or replaces them", () => {
    const stored = { ...message, embeds: ["<b>old</b>"] };
    expect(apply("embeds", { embeds: ["<i>new</i>"] }, stored)?.embeds).toEqual(["<i>new</i>", "<b>old</b>"]);
    expect(apply("embeds", { embeds: ["<i>new</i>"], replace: true }, stored)?.embeds).toEqual(["<i>new</i>"]);
  });

  it("appends untyped citations to sources and leaves typed ones to the browser", () => {
    const citation = { source: { name: "Docs" }, document: ["text"], metadata: [{ source: "https://docs" }] };
    expect(apply("citation", citation)?.sources).toEqual([citation]);
    expect(apply("source", citation)?.sources).toEqual([citation]);
    expect(persistedChange({ type: "source", data: { ...citation, type: "code_execution" } })).toBeUndefined();
  });

  it("persists nothing for delivery-only types", () => {
    for (const type of [
      "notification",
      "chat:title",
      "chat:message:delta",
      "chat:message",
      "chat:completion",
      "confirmation",
      "my-plugin:progress",
    ]) {
      expect(persistedChange({ type, data: { content: "x" } }), type).toBeUndefined();
    }
  });

  it("says what is wrong with a malformed event", () => {
    expect(() => persistedChange({ type: "message", data: { content: 5 } })).toThrow('Invalid "message" event: data.content');
    expect(() => persistedChange({ type: "status", data: "Searching" })).toThrow('Invalid "status" event: data');
    expect(() => persistedChange({ type: "files", data: { files: "a.png" } })).toThrow('Invalid "files" event: data.files');
    expect(() => persistedChange({ type: "replace" })).toThrow(/Invalid "replace" event/);
  });
});
