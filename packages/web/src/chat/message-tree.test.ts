import { describe, expect, it } from "vitest";
import type { ChatMessage, MessageTree } from "./chat-types.ts";
import {
  addMessage,
  branchOf,
  chatFieldsOf,
  deleteMessage,
  EMPTY_TREE,
  leafOf,
  showBranch,
  siblingAt,
  siblingsOf,
  treeOfChat,
} from "./message-tree.ts";

function message(id: string, parentId: string | null, role: "user" | "assistant" = "user"): ChatMessage {
  return { id, parentId, childrenIds: [], role, content: `text of ${id}` };
}

/**
 * q1 ─ a1 ─ q2 ─ a2
 *    └ a1b        (a regenerated answer)
 * q1b ─ a3        (an edited first question)
 */
function branchingTree(): MessageTree {
  let tree = EMPTY_TREE;
  tree = addMessage(tree, message("q1", null));
  tree = addMessage(tree, message("a1", "q1", "assistant"));
  tree = addMessage(tree, message("q2", "a1"));
  tree = addMessage(tree, message("a2", "q2", "assistant"));
  tree = addMessage(tree, message("a1b", "q1", "assistant"));
  tree = addMessage(tree, message("q1b", null));
  tree = addMessage(tree, message("a3", "q1b", "assistant"));
  return tree;
}

const ids = (messages: ChatMessage[]) => messages.map((candidate) => candidate.id);

describe("siblings", () => {
  it("are the parent's children in order, and every first message for a first message", () => {
    const tree = branchingTree();
    expect(siblingsOf(tree, "a1")).toEqual(["a1", "a1b"]);
    expect(siblingsOf(tree, "a1b")).toEqual(["a1", "a1b"]);
    expect(siblingsOf(tree, "q1")).toEqual(["q1", "q1b"]);
    expect(siblingsOf(tree, "q2")).toEqual(["q2"]);
    expect(siblingsOf(tree, "missing")).toEqual([]);
  });

  it("steps to the previous or next one, and not past either end", () => {
    const tree = branchingTree();
    expect(siblingAt(tree, "a1b", -1)).toBe("a1");
    expect(siblingAt(tree, "a1", 1)).toBe("a1b");
    expect(siblingAt(tree, "a1", -1)).toBeUndefined();
    expect(siblingAt(tree, "a1b", 1)).toBeUndefined();
  });
});

describe("switching branches", () => {
  it("shows the branch through a message, down its latest children", () => {
    const tree = branchingTree();
    expect(tree.currentId).toBe("a3");
    expect(ids(branchOf(tree))).toEqual(["q1b", "a3"]);
    const first = showBranch(tree, "q1");
    expect(first.currentId).toBe("a1b");
    expect(ids(branchOf(first))).toEqual(["q1", "a1b"]);
    const older = showBranch(first, "a1");
    expect(ids(branchOf(older))).toEqual(["q1", "a1", "q2", "a2"]);
    expect(leafOf(tree, "a2")).toBe("a2");
  });

  it("leaves the tree as it is for an unknown message or the branch already shown", () => {
    const tree = branchingTree();
    expect(showBranch(tree, "missing")).toBe(tree);
    expect(showBranch(tree, "q1b")).toBe(tree);
  });
});

describe("deleting a message", () => {
  it("removes it with everything under it and unlinks it from its parent", () => {
    const tree = showBranch(branchingTree(), "a1");
    const after = deleteMessage(tree, "a1");
    expect(Object.keys(after.messages).sort()).toEqual(["a1b", "a3", "q1", "q1b"]);
    expect(after.messages.q1!.childrenIds).toEqual(["a1b"]);
    // The branch on screen went through it: a sibling's branch is shown.
    expect(ids(branchOf(after))).toEqual(["q1", "a1b"]);
  });

  it("keeps the branch on screen when it did not go through the message", () => {
    const tree = branchingTree();
    const after = deleteMessage(tree, "q2");
    expect(after.currentId).toBe("a3");
    expect(after.messages.a1!.childrenIds).toEqual([]);
    expect(after.messages.a2).toBeUndefined();
  });

  it("shows the parent when the message had no sibling, and nothing once the chat is empty", () => {
    const tree = showBranch(branchingTree(), "a1");
    expect(ids(branchOf(deleteMessage(tree, "q2")))).toEqual(["q1", "a1"]);
    let single = addMessage(addMessage(EMPTY_TREE, message("q", null)), message("a", "q", "assistant"));
    single = deleteMessage(single, "a");
    expect(ids(branchOf(single))).toEqual(["q"]);
    expect(deleteMessage(single, "q")).toEqual({ messages: {}, currentId: null });
  });
});

describe("Open WebUI's chat JSON", () => {
  it("stores the path on screen as messages and the whole tree as history, and reads it back", () => {
    const tree = showBranch(branchingTree(), "a1");
    const fields = chatFieldsOf(tree);
    expect(fields.messages.map((candidate) => candidate.id)).toEqual(["q1", "a1", "q2", "a2"]);
    expect(fields.history).toEqual({ messages: tree.messages, currentId: "a2" });
    const reread = treeOfChat(JSON.parse(JSON.stringify({ title: "t", ...fields })));
    expect(reread).toEqual(tree);
    expect(siblingsOf(reread, "a1")).toEqual(["a1", "a1b"]);
  });
});
