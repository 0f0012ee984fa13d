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
