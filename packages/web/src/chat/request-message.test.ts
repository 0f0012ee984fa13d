import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./chat-types.ts";
import { requestFiles, requestMessage } from "./request-message.ts";

function user(id: string, content: string, files?: ChatMessage["files"]): ChatMessage {
  return { id, parentId: null, childrenIds: [], role: "user", content, ...(files ? { files } : {}) };
}

describe("requestMessage", () => {
  it("sends a user's images as image parts after the text, and plain messages as they are", () => {
    const image = { type: "image", url: "data:image/png;base64,AAAA", name: "a.png" };
    expect(requestMessage(user("u1", "what is it?", [image]))).toEqual({
      role: "user",
      content: [
        { type: "text", text: "what is it?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      ],
    });
    expect(requestMessage(user("u2", "", [image])).content).toEqual([{ type: "image_url", image_url: { url: image.url } }]);
    expect(requestMessage(user("u3", "hi", [{ type: "file", id: "f1", name: "a.txt" }]))).toEqual({ role: "user", content: "hi" });
  });
});

describe("requestFiles", () => {
  it("lists the stored files of the branch's user messages once each, without images", () => {
    const notes = { type: "file", id: "f1", url: "/api/v1/files/f1/content", name: "notes.txt", size: 3 };
    const messages = [
      user("u1", "one", [notes, { type: "image", url: "data:image/png;base64,AAAA" }]),
      { id: "a1", parentId: "u1", childrenIds: [], role: "assistant", content: "ok", files: [{ type: "file", id: "f9" }] },
      user("u2", "two", [notes, { type: "file", id: "f2", name: "b.csv", size: 5 }]),
    ];
    expect(requestFiles(messages)).toEqual([
      { type: "file", id: "f1", name: "notes.txt", size: 3 },
      { type: "file", id: "f2", name: "b.csv", size: 5 },
    ]);
  });
});
