import { randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import { SluiceError } from "@sluice/sdk";
import {
  type ChatChanges,
  type ChatData,
  chatDataSchema,
  type ChatMessageRecord,
  chatMessageSchema,
  type ChatMessageUpdate,
  isTemporaryChatId,
} from "./chat-data.ts";
import { databaseKind } from "./database-kind.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import type { ChatTable, Database } from "./schema.ts";
import type { ChatRecord as WireChatRecord } from "@sluice/sdk/wire";

/**
 * A stored chat with its JSON parsed: what `/api/v1/chats/{id}` returns. Its shape is the wire's
 * (`@sluice/sdk/wire`), which the web reads: the compiler holds the stored shape to it.
 */
export interface ChatRecord extends WireChatRecord {
  chat: ChatData;
}

/** A line of the chat list: no body. */
export interface ChatSummary {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
}

/**
 * The chat JSON of a row. A row whose JSON no longer matches (hand-edited, an older version) is
 * shown as stored rather than hidden; {@link modifyChat} refuses to rewrite it.
 */
function readChatData(text: string): { data: ChatData; isValid: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { data: chatDataSchema.parse({}), isValid: false };
  }
  const result = chatDataSchema.safeParse(value);
  if (result.success) return { data: result.data, isValid: true };
  const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
  return { data: (isObject ? value : chatDataSchema.parse({})) as ChatData, isValid: false };
}

function toRecord(row: Selectable<ChatTable>): ChatRecord {
  return { ...row, chat: readChatData(row.chat).data, archived: Boolean(row.archived) };
}

type Executor = Kysely<Database>;

/** Stores a new chat for a user; its title comes from `chat.title` ("New Chat" when absent). */
export async function createChat(db: Executor, input: { userId: string; chat: ChatData }): Promise<ChatRecord> {
  const now = epochSeconds();
  const chat = chatDataSchema.parse(withoutPluginMeta(input.chat));
  const row = await db
    .insertInto("chat")
    .values({ id: randomUUID(), user_id: input.userId, title: chat.title, chat: JSON.stringify(chat), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

/** Any stored chat by id, whoever owns it (for admins and the pipeline's ownership check). */
export async function findChatById(db: Executor, id: string): Promise<ChatRecord | undefined> {
  if (isTemporaryChatId(id)) return undefined;
  const row = await db.selectFrom("chat").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toRecord(row);
}

/** A chat of this user; another user's chat is reported missing. */
export async function findChat(db: Executor, userId: string, id: string): Promise<ChatRecord | undefined> {
  const chat = await findChatById(db, id);
  return chat?.user_id === userId ? chat : undefined;
}

/** A user's chats, most recently updated first, archived ones left out. `page` (from 1) gives 60 a page. */
export async function listChats(db: Executor, userId: string, options: { page?: number } = {}): Promise<ChatSummary[]> {
  let query = db
    .selectFrom("chat")
    .select(["id", "title", "created_at", "updated_at"])
    .where("user_id", "=", userId)
    .where("archived", "=", false)
    .orderBy("updated_at", "desc")
    .orderBy("id");
  if (options.page !== undefined) query = query.limit(CHATS_PER_PAGE).offset((options.page - 1) * CHATS_PER_PAGE);
  return query.execute();
}

const CHATS_PER_PAGE = 60;

/**
 * Reads a chat with its row locked (PostgreSQL; SQLite runs one transaction at a time), lets
 * `modify` change its JSON, and writes it back: concurrent changes to one chat never lose each
 * other's work. `modify` returning undefined writes nothing.
 */
async function modifyChat<Result>(
  db: Executor,
  id: string,
  modify: (chat: ChatData, row: Selectable<ChatTable>) => { chat: ChatData; result: Result } | undefined,
): Promise<Result | undefined> {
  if (isTemporaryChatId(id)) return undefined;
  return db.transaction().execute(async (transaction) => {
    const row = await selectForUpdate(transaction, id);
    if (!row) return undefined;
    const { data, isValid } = readChatData(row.chat);
    if (!isValid) throw new SluiceError("CONFLICT", `The stored chat ${id} is malformed; it was left unchanged`);
    const change = modify(data, row);
    if (!change) return undefined;
    await transaction
      .updateTable("chat")
      .set({ chat: JSON.stringify(change.chat), title: change.chat.title, updated_at: epochSeconds() })
      .where("id", "=", id)
      .execute();
    return change.result;
  });
}

function selectForUpdate(transaction: Transaction<Database>, id: string) {
  const query = transaction.selectFrom("chat").selectAll().where("id", "=", id);
  return (databaseKind(transaction) === "postgres" ? query.forUpdate() : query).executeTakeFirst();
}

/**
 * Merges changes into a user's chat: each top-level field named in `changes` replaces the stored
 * one (a new `title` renames the chat). Undefined when the user has no such chat.
 */
export async function updateChat(db: Executor, userId: string, id: string, changes: ChatChanges): Promise<ChatRecord | undefined> {
  const isUpdated = await modifyChat(db, id, (chat, row) => {
    if (row.user_id !== userId) return undefined;
    const defined = Object.fromEntries(Object.entries(withoutPluginMeta(changes)).filter(([, value]) => value !== undefined));
    return { chat: chatDataSchema.parse({ ...chat, ...defined }), result: true };
  });
  return isUpdated ? findChat(db, userId, id) : undefined;
}

/** Archives or unarchives a user's chat. */
export async function setChatArchived(db: Executor, userId: string, id: string, isArchived: boolean): Promise<ChatRecord | undefined> {
  await db
    .updateTable("chat")
    .set({ archived: isArchived, updated_at: epochSeconds() })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .execute();
  return findChat(db, userId, id);
}

export async function deleteChat(db: Executor, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom("chat").where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

function parseMessage(value: unknown): ChatMessageRecord {
  const result = chatMessageSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join(".") || "message"}: ${issue.message}`).join("; ");
  throw new SluiceError("INVALID_INPUT", `Cannot save the chat message: ${issues}`);
}

/** Adds a new message to its parent's `childrenIds`, in the tree and in the branch list. */
function linkToParent(chat: ChatData, message: ChatMessageRecord): void {
  if (!message.parentId) return;
  const parents = [chat.history?.messages[message.parentId], chat.messages.find((candidate) => candidate.id === message.parentId)];
  for (const parent of parents) {
    if (parent && !parent.childrenIds?.includes(message.id)) parent.childrenIds = [...(parent.childrenIds ?? []), message.id];
  }
}

/**
 * Where plugins keep their meta on a chat (`ctx.chat.meta`): a key of the chat's JSON holding one
 * object per plugin, `{ "<namespace>:<plugin id>": { key: value } }`. Clients never write it: a
 * chat saved from the browser (or created, or imported) keeps what is stored there.
 */
export const PLUGIN_META_KEY = "pluginMeta";

/** The chat JSON without what only plugins may write. */
function withoutPluginMeta<Chat extends object>(chat: Chat): Chat {
  if (!(PLUGIN_META_KEY in chat)) return chat;
  const { [PLUGIN_META_KEY]: _dropped, ...rest } = chat as Record<string, unknown>;
  return rest as Chat;
}

/** One plugin's meta on a chat ({@link PLUGIN_META_KEY}); `{}` when it has none. */
export function pluginMetaOf(chat: ChatData, space: string): Record<string, unknown> {
  const all = (chat as Record<string, unknown>)[PLUGIN_META_KEY];
  const mine = typeof all === "object" && all !== null && !Array.isArray(all) ? (all as Record<string, unknown>)[space] : undefined;
  return typeof mine === "object" && mine !== null && !Array.isArray(mine) ? (mine as Record<string, unknown>) : {};
}

/**
 * Changes one plugin's meta on a user's chat atomically (the row locked as for a message):
 * `update` gets the stored meta and returns the new one with a result, or undefined to write
 * nothing. Undefined when the user has no such chat.
 */
export async function updateChatPluginMeta<Result>(
  db: Executor,
  userId: string,
  chatId: string,
  space: string,
  update: (meta: Record<string, unknown>) => { meta: Record<string, unknown>; result: Result } | undefined,
): Promise<{ result: Result } | undefined> {
  return modifyChat(db, chatId, (chat, row) => {
    if (row.user_id !== userId) return undefined;
    const change = update({ ...pluginMetaOf(chat, space) });
    if (!change) return undefined;
    const all = { ...((chat as Record<string, unknown>)[PLUGIN_META_KEY] as Record<string, unknown> | undefined) };
    if (Object.keys(change.meta).length === 0) delete all[space];
    else all[space] = change.meta;
    return { chat: { ...chat, [PLUGIN_META_KEY]: all }, result: { result: change.result } };
  });
}

/** Renames a user's chat (`title` column and `chat.title`). */
export async function updateChatTitle(db: Executor, userId: string, id: string, title: string): Promise<ChatRecord | undefined> {
  return updateChat(db, userId, id, { title });
}

/**
 * Changes one message of a stored chat atomically: `update` receives the stored message (from
 * `history.messages`, else `messages`), or undefined when there is none yet, and returns the new
 * one (its `id` is forced to `messageId`), or undefined to leave the chat unchanged. A new
 * message without a `parentId` gets the message on screen as parent (`history.currentId`, else
 * the last of `messages`) and is listed in the parent's `childrenIds`; it is appended to
 * `messages` and, when the chat has a `history`, added there and made `currentId`. Resolves to the stored message, or undefined when
 * nothing was written: no such chat, a temporary chat (`local:…`), or `update` gave undefined.
 * A message that does not parse (e.g. `role` missing on a new one) throws INVALID_INPUT.
 *
 * @example
 * await updateChatMessage(db, chatId, messageId, (message) => ({
 *   ...(message ?? { id: messageId, role: "assistant", content: "" }),
 *   content: (message?.content ?? "") + "more",
 * }));
 */
export async function updateChatMessage(
  db: Executor,
  chatId: string,
  messageId: string,
  update: (message: ChatMessageRecord | undefined) => ChatMessageUpdate | undefined,
): Promise<ChatMessageRecord | undefined> {
  return modifyChat(db, chatId, (chat) => {
    const index = chat.messages.findIndex((message) => message.id === messageId);
    const current = chat.history?.messages[messageId] ?? chat.messages[index];
    const updated = update(current);
    if (updated === undefined) return undefined;
    const next = parseMessage({ ...updated, id: messageId });
    if (!current) {
      // A new message answers the one on screen, so the web client's tree stays connected.
      next.parentId ??= chat.history?.currentId ?? chat.messages.at(-1)?.id ?? null;
      linkToParent(chat, next);
    }
    if (index >= 0) chat.messages[index] = next;
    else if (!current) chat.messages.push(next);
    if (chat.history) {
      chat.history.messages[messageId] = next;
      if (!current) chat.history.currentId = messageId;
    }
    return { chat, result: next };
  });
}
