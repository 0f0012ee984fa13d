import type { ChatContentPart, FileReference } from "./chat-body.ts";

/**
 * One message of the stored chat, as `ctx.chat.get()` returns it (the branch on screen, in order).
 *
 * @example
 * const lastAnswer = chat.messages.findLast((message: StoredChatMessage) => message.role === "assistant");
 */
export interface StoredChatMessage {
  id: string;
  role: string;
  content: string | ChatContentPart[];
  parentId?: string | null;
  model?: string | null;
  /** Epoch seconds. */
  timestamp?: number | null;
  files?: FileReference[];
}

/**
 * The requesting user's stored chat: its messages with ids, the files attached to it and the
 * plugin's own meta (see {@link ChatMeta}).
 *
 * @example
 * const chat = await ctx.chat.get();
 * if (chat) ctx.log.info(chat.title, chat.messages.length, "messages");
 */
export interface StoredChat {
  id: string;
  title: string;
  messages: StoredChatMessage[];
  /** Files attached to the chat or one of its messages, each once. */
  files: FileReference[];
  /** What this plugin keeps on the chat (`ctx.chat.meta`), key by key. */
  meta: Record<string, unknown>;
}

/**
 * `ctx.chat.meta`: the plugin's key/value space on the current chat, stored with the chat (deleted
 * with it, never seen by other plugins). Values are JSON data; the plugin's whole space on one chat
 * is at most `PLUGIN_STORAGE_MAX_VALUE_BYTES` of JSON. Without a stored chat, `get` answers
 * `undefined` and `set` fails.
 *
 * @example
 * const turns = ((await ctx.chat.meta.get<number>("turns")) ?? 0) + 1;
 * await ctx.chat.meta.set("turns", turns);
 */
export interface ChatMeta {
  get<Value = unknown>(key: string): Promise<Value | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Resolves `true` when there was a value. */
  delete(key: string): Promise<boolean>;
}

/**
 * `ctx.chat`: the stored chat the request belongs to, only ever the requesting user's own.
 * API calls without a chat (and temporary chats) have none: `get()` answers `null` and
 * `setTitle` fails with `NOT_FOUND`.
 *
 * @example
 * const chat = await ctx.chat.get();
 * if (chat && chat.title === "New Chat") await ctx.chat.setTitle("Travel plans");
 */
export interface PluginChat {
  get(): Promise<StoredChat | null>;
  /** Renames the chat (open tabs show it after their next reload, or at once on a `chat:title` event). */
  setTitle(title: string): Promise<void>;
  readonly meta: ChatMeta;
}
