import { describe, expect, it } from "vitest";
import { chatListsFile } from "./chat-file-references.ts";

const id = "6f1c2a4e-8b1d-4c3a-9e2f-0a1b2c3d4e5f";

describe("chatListsFile", () => {
  it("finds a file listed on a message, in the chat's files, or in the history tree", () => {
    expect(chatListsFile({ messages: [{ id: "m", role: "user", files: [{ type: "file", id }] }] }, id)).toBe(true);
    expect(chatListsFile({ messages: [], files: [{ type: "file", file: { id } }] }, id)).toBe(true);
    expect(
      chatListsFile({ messages: [], history: { messages: { m: { files: [{ type: "image", url: `/api/v1/files/${id}/content` }] } } } }, id),
    ).toBe(true);
  });

  it("does not take a mention elsewhere, or a longer id, for a listing", () => {
    expect(chatListsFile({ messages: [{ id: "m", role: "user", content: `see ${id}` }] }, id)).toBe(false);
    expect(chatListsFile({ title: id, messages: [] }, id)).toBe(false);
    expect(chatListsFile({ messages: [{ files: [{ url: `/api/v1/files/${id}0/content` }] }] }, id)).toBe(false);
    expect(chatListsFile({ messages: [{ files: [{ id: `${id}0` }] }] }, id)).toBe(false);
  });

  it("survives chats of any shape", () => {
    for (const chat of [
      undefined,
      null,
      "text",
      [],
      { messages: "x" },
      { messages: [null, { files: "x" }], history: { messages: null } },
    ]) {
      expect(chatListsFile(chat, id)).toBe(false);
    }
  });
});
