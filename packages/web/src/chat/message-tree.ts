import type { ChatData, ChatMessage, MessageTree } from "./chat-types.ts";

/** An empty conversation. */
export const EMPTY_TREE: MessageTree = { messages: {}, currentId: null };

/**
 * The messages on screen, oldest first: from the current message up its parents.
 *
 * @example
 * branchOf({ messages: { a: userMessage, b: answer }, currentId: "b" }); // [userMessage, answer]
 */
export function branchOf(tree: MessageTree): ChatMessage[] {
  const branch: ChatMessage[] = [];
  const seen = new Set<string>();
  let id = tree.currentId;
  while (id && !seen.has(id)) {
    seen.add(id);
    const message = tree.messages[id];
    if (!message) break;
    branch.unshift(message);
    id = message.parentId ?? null;
  }
  return branch;
}

/** Adds a message under its `parentId` (listed in the parent's `childrenIds`) and makes it current. */
export function addMessage(tree: MessageTree, message: ChatMessage): MessageTree {
  const messages = { ...tree.messages, [message.id]: message };
  const parent = message.parentId ? messages[message.parentId] : undefined;
  if (parent && !parent.childrenIds.includes(message.id))
    messages[parent.id] = { ...parent, childrenIds: [...parent.childrenIds, message.id] };
  return { messages, currentId: message.id };
}

/** Changes one message; an unknown id leaves the tree as it is. */
export function updateMessage(tree: MessageTree, id: string, update: (message: ChatMessage) => ChatMessage): MessageTree {
  const message = tree.messages[id];
  if (!message) return tree;
  const updated = update(message);
  return updated === message ? tree : { ...tree, messages: { ...tree.messages, [id]: updated } };
}

function normalise(message: Partial<ChatMessage> & { id: string }): ChatMessage {
  return {
    ...message,
    parentId: message.parentId ?? null,
    childrenIds: message.childrenIds ?? [],
    role: message.role ?? "assistant",
    content: message.content ?? "",
  };
}

/**
 * The tree of a stored chat: its `history` when the web client saved one, else one built from
 * the `messages` list (chats made through the API), each answering the one before.
 */
export function treeOfChat(chat: ChatData): MessageTree {
  if (chat.history && Object.keys(chat.history.messages ?? {}).length > 0) {
    const messages = Object.fromEntries(Object.entries(chat.history.messages).map(([id, message]) => [id, normalise({ ...message, id })]));
    const currentId =
      chat.history.currentId && messages[chat.history.currentId] ? chat.history.currentId : (chat.messages.at(-1)?.id ?? null);
    return { messages, currentId };
  }
  let tree = EMPTY_TREE;
  let previous: string | null = null;
  for (const message of chat.messages ?? []) {
    tree = addMessage(tree, normalise({ ...message, parentId: message.parentId ?? previous, childrenIds: [] }));
    previous = message.id;
  }
  return tree;
}

/** What `POST /api/v1/chats/{id}` stores for the tree: the branch on screen and the whole history. */
export function chatFieldsOf(tree: MessageTree): Pick<ChatData, "messages" | "history"> {
  return { messages: branchOf(tree), history: tree };
}

/**
 * The message and its alternatives, in order: its parent's `childrenIds`, or for a first message
 * every message without a parent (Open WebUI's siblings, what `‹ 2/3 ›` counts).
 */
export function siblingsOf(tree: MessageTree, id: string): string[] {
  const message = tree.messages[id];
  if (!message) return [];
  const parent = message.parentId ? tree.messages[message.parentId] : undefined;
  if (parent) return parent.childrenIds.filter((childId) => tree.messages[childId]);
  return Object.values(tree.messages)
    .filter((candidate) => !candidate.parentId || !tree.messages[candidate.parentId])
    .map((candidate) => candidate.id);
}

/** The end of the branch through a message: down its latest children (Open WebUI's choice when switching). */
export function leafOf(tree: MessageTree, id: string): string {
  const seen = new Set<string>();
  let current = id;
  while (!seen.has(current)) {
    seen.add(current);
    const children = (tree.messages[current]?.childrenIds ?? []).filter((childId) => tree.messages[childId]);
    const last = children.at(-1);
    if (!last) break;
    current = last;
  }
  return current;
}

/**
 * Shows the branch through a message (e.g. a sibling picked with `‹ ›`): `currentId` becomes
 * the end of that branch. An unknown id leaves the tree as it is.
 */
export function showBranch(tree: MessageTree, id: string): MessageTree {
  if (!tree.messages[id]) return tree;
  const currentId = leafOf(tree, id);
  return currentId === tree.currentId ? tree : { ...tree, currentId };
}

/** The sibling `step` places away (−1 previous, +1 next), or undefined past either end. */
export function siblingAt(tree: MessageTree, id: string, step: number): string | undefined {
  const siblings = siblingsOf(tree, id);
  const index = siblings.indexOf(id);
  return index < 0 ? undefined : siblings[index + step];
}

/**
 * Removes a message and everything under it, and its id from its parent's `childrenIds`. When the
 * branch on screen went through it, the screen shows a remaining sibling's branch, else the parent.
 */
export function deleteMessage(tree: MessageTree, id: string): MessageTree {
  const message = tree.messages[id];
  if (!message) return tree;
  const siblings = siblingsOf(tree, id);
  const removed = new Set<string>();
  const pending = [id];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (removed.has(next)) continue;
    removed.add(next);
    pending.push(...(tree.messages[next]?.childrenIds ?? []));
  }
  const messages = Object.fromEntries(Object.entries(tree.messages).filter(([messageId]) => !removed.has(messageId)));
  const parent = message.parentId ? messages[message.parentId] : undefined;
  if (parent) messages[parent.id] = { ...parent, childrenIds: parent.childrenIds.filter((childId) => childId !== id) };
  const remaining = { messages, currentId: tree.currentId };
  if (!tree.currentId || !removed.has(tree.currentId)) return remaining;
  const index = siblings.indexOf(id);
  const fallback = siblings[index - 1] ?? siblings[index + 1];
  if (fallback) return { messages, currentId: leafOf(remaining, fallback) };
  return { messages, currentId: parent?.id ?? null };
}
