import { randomUUID } from "node:crypto";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
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
  pinned: boolean;
  folder_id: string | null;
  meta: ChatMeta;
  /** Open WebUI's share link; Sluice does not share chats. */
  share_id: null;
}

/** `chat.meta`: the chat's tag ids, and what else an Open WebUI import brought. */
export interface ChatMeta extends Record<string, unknown> {
  tags?: string[];
}

/** A line of the chat list: no body; Open WebUI's fields plus where the sidebar puts it. */
export interface ChatSummary {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  pinned: boolean;
  folder_id: string | null;
  tags: string[];
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

function readMeta(text: string): ChatMeta {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    const meta = value as ChatMeta;
    return Array.isArray(meta.tags) ? { ...meta, tags: meta.tags.filter((tag) => typeof tag === "string") } : meta;
  } catch {
    return {};
  }
}

function toRecord(row: Selectable<ChatTable>): ChatRecord {
  return {
    ...row,
    chat: readChatData(row.chat).data,
    archived: Boolean(row.archived),
    pinned: Boolean(row.pinned),
    meta: readMeta(row.meta),
    share_id: null,
  };
}

const summaryColumns = ["id", "title", "created_at", "updated_at", "pinned", "folder_id", "meta"] as const;

function toSummary(row: Pick<Selectable<ChatTable>, (typeof summaryColumns)[number]>): ChatSummary {
  const { meta, ...rest } = row;
  return { ...rest, pinned: Boolean(row.pinned), tags: readMeta(meta).tags ?? [] };
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

export interface ListChatsOptions {
  /** From 1; 60 a page. */
  page?: number;
  /** Open WebUI leaves pinned chats out of the list unless asked (they have their own section). */
  includePinned?: boolean;
  /** Likewise chats in a folder. */
  includeFolders?: boolean;
}

/**
 * A user's chats, most recently updated first, archived ones left out; pinned chats and chats in
 * folders only when asked for, as in Open WebUI.
 */
export async function listChats(db: Executor, userId: string, options: ListChatsOptions = {}): Promise<ChatSummary[]> {
  let query = db
    .selectFrom("chat")
    .select(summaryColumns)
    .where("user_id", "=", userId)
    .where("archived", "=", false)
    .orderBy("updated_at", "desc")
    .orderBy("id");
  if (!options.includePinned) query = query.where("pinned", "=", false);
  if (!options.includeFolders) query = query.where("folder_id", "is", null);
  if (options.page !== undefined) query = query.limit(CHATS_PER_PAGE).offset((options.page - 1) * CHATS_PER_PAGE);
  return (await query.execute()).map(toSummary);
}

/** A user's pinned chats (not archived), most recently updated first. */
export async function listPinnedChats(db: Executor, userId: string): Promise<ChatSummary[]> {
  const rows = await db
    .selectFrom("chat")
    .select(summaryColumns)
    .where("user_id", "=", userId)
    .where("archived", "=", false)
    .where("pinned", "=", true)
    .orderBy("updated_at", "desc")
    .orderBy("id")
    .execute();
  return rows.map(toSummary);
}

/**
 * A user's chats in these folders, whole, most recently updated first; pinned and archived ones
 * left out, as Open WebUI's `GET /api/v1/chats/folder/{id}` (a folder's export) does.
 */
export async function listChatsInFolders(db: Executor, userId: string, folderIds: string[]): Promise<ChatRecord[]> {
  if (folderIds.length === 0) return [];
  const rows = await db
    .selectFrom("chat")
    .selectAll()
    .where("user_id", "=", userId)
    .where("folder_id", "in", folderIds)
    .where("pinned", "=", false)
    .where("archived", "=", false)
    .orderBy("updated_at", "desc")
    .orderBy("id")
    .execute();
  return rows.map(toRecord);
}

/** The titles of a user's chats in one folder (not its subfolders), as {@link listChatsInFolders} orders them, 60 a page. */
export async function listFolderChatTitles(
  db: Executor,
  userId: string,
  folderId: string,
  page = 1,
): Promise<{ id: string; title: string; updated_at: number }[]> {
  return db
    .selectFrom("chat")
    .select(["title", "id", "updated_at"])
    .where("user_id", "=", userId)
    .where("folder_id", "=", folderId)
    .where("pinned", "=", false)
    .where("archived", "=", false)
    .orderBy("updated_at", "desc")
    .orderBy("id")
    .limit(CHATS_PER_PAGE)
    .offset((page - 1) * CHATS_PER_PAGE)
    .execute();
}

/** A user's archived chats, most recently updated first; `query` keeps those whose title contains it. */
export async function listArchivedChats(
  db: Executor,
  userId: string,
  options: { page?: number; query?: string } = {},
): Promise<ChatSummary[]> {
  let query = db
    .selectFrom("chat")
    .select(summaryColumns)
    .where("user_id", "=", userId)
    .where("archived", "=", true)
    .orderBy("updated_at", "desc")
    .orderBy("id");
  if (options.query) query = query.where(sql<boolean>`lower(title) like ${likePattern(options.query)} escape '\\'`);
  query = query.limit(CHATS_PER_PAGE).offset(((options.page ?? 1) - 1) * CHATS_PER_PAGE);
  return (await query.execute()).map(toSummary);
}

/** `%text%`, lower-cased, with LIKE's wildcards escaped by a backslash. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * A user's chats (not archived) whose title or any message contains the text, case-insensitively,
 * most recently updated first, 60 a page. Words `tag:<name>` keep chats with that tag, as in Open WebUI.
 */
export async function searchChats(db: Executor, userId: string, text: string, page = 1): Promise<ChatSummary[]> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const tagIds = words.filter((word) => word.toLowerCase().startsWith("tag:")).map((word) => tagIdOf(word.slice(4)));
  const phrase = words
    .filter((word) => !word.toLowerCase().startsWith("tag:"))
    .join(" ")
    .toLowerCase();
  let query = db
    .selectFrom("chat")
    .select([...summaryColumns, "chat"])
    .where("user_id", "=", userId)
    .where("archived", "=", false)
    .orderBy("updated_at", "desc")
    .orderBy("id");
  if (phrase) {
    // The stored JSON narrows the rows in SQL; the parsed messages decide (a key named like the word is no match).
    const pattern = likePattern(phrase);
    query = query.where(sql<boolean>`(lower(title) like ${pattern} escape '\\' or lower(chat) like ${pattern} escape '\\')`);
  }
  for (const tagId of tagIds) query = query.where("meta", "like", `%${JSON.stringify(tagId)}%`);
  const rows = await query.execute();
  const matches = rows.filter((row) => {
    const tags = readMeta(row.meta).tags ?? [];
    if (!tagIds.every((tagId) => tags.includes(tagId))) return false;
    return (
      !phrase ||
      row.title.toLowerCase().includes(phrase) ||
      messageTexts(readChatData(row.chat).data).some((part) => part.toLowerCase().includes(phrase))
    );
  });
  return matches.slice((page - 1) * CHATS_PER_PAGE, page * CHATS_PER_PAGE).map(({ chat: _body, ...row }) => toSummary(row));
}

/** The text of every message of a chat: the whole tree and the branch list, text parts of a list of parts. */
function messageTexts(chat: ChatData): string[] {
  const messages = [...Object.values(chat.history?.messages ?? {}), ...chat.messages];
  return messages.flatMap((message) => {
    if (typeof message.content === "string") return [message.content];
    return message.content.flatMap((part) => (typeof part.text === "string" ? [part.text] : []));
  });
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

/** Pins or unpins a user's chat; its `updated_at` stays, so it keeps its place in the date groups. */
export async function setChatPinned(db: Executor, userId: string, id: string, isPinned: boolean): Promise<ChatRecord | undefined> {
  await db.updateTable("chat").set({ pinned: isPinned }).where("id", "=", id).where("user_id", "=", userId).execute();
  return findChat(db, userId, id);
}

/** Moves a user's chat into a folder of theirs, or out of any (`null`), and unpins it as Open WebUI does (a pinned chat shows only under Pinned). */
export async function setChatFolder(db: Executor, userId: string, id: string, folderId: string | null): Promise<ChatRecord | undefined> {
  await db.updateTable("chat").set({ folder_id: folderId, pinned: false }).where("id", "=", id).where("user_id", "=", userId).execute();
  return findChat(db, userId, id);
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
  const chat = await findChat(db, userId, id);
  const result = await db.deleteFrom("chat").where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
  await deleteUnusedTags(db, userId, chat?.meta.tags ?? []);
  return Number(result.numDeletedRows) > 0;
}

/** A tag as Open WebUI returns it. */
export interface TagRecord {
  id: string;
  name: string;
  user_id: string;
  meta: Record<string, unknown> | null;
}

/** Open WebUI's tag id: the name with spaces as underscores, lower-cased. */
export function tagIdOf(name: string): string {
  return name.trim().replace(/ /g, "_").toLowerCase();
}

function toTag(row: { id: string; name: string; user_id: string; meta: string | null }): TagRecord {
  let meta: Record<string, unknown> | null = null;
  try {
    meta = row.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : null;
  } catch {
    meta = null;
  }
  return { ...row, meta };
}

/** A user's tags, by name. */
export async function listTags(db: Executor, userId: string): Promise<TagRecord[]> {
  const rows = await db.selectFrom("tag").selectAll().where("user_id", "=", userId).orderBy("name").execute();
  return rows.map(toTag);
}

/** The tags of a user's chat, in the chat's order. */
export async function tagsOfChat(db: Executor, userId: string, chat: ChatRecord): Promise<TagRecord[]> {
  const ids = chat.meta.tags ?? [];
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("tag").selectAll().where("user_id", "=", userId).where("id", "in", ids).execute();
  return ids.flatMap((id) => rows.filter((row) => row.id === id).map(toTag));
}

/** Creates the user's tags that do not exist yet, named as given. */
async function ensureTags(db: Executor, userId: string, names: string[]): Promise<void> {
  for (const name of names) {
    await db
      .insertInto("tag")
      .values({ id: tagIdOf(name), name: name.trim(), user_id: userId, meta: null })
      .onConflict((conflict) => conflict.columns(["id", "user_id"]).doNothing())
      .execute();
  }
}

/** Deletes those of the user's tags that no chat of theirs (archived or not) carries any more. */
async function deleteUnusedTags(db: Executor, userId: string, tagIds: string[]): Promise<void> {
  for (const tagId of tagIds) {
    const rows = await db
      .selectFrom("chat")
      .select("meta")
      .where("user_id", "=", userId)
      .where("meta", "like", `%${JSON.stringify(tagId)}%`)
      .execute();
    if (rows.some((row) => readMeta(row.meta).tags?.includes(tagId))) continue;
    await db.deleteFrom("tag").where("user_id", "=", userId).where("id", "=", tagId).execute();
  }
}

async function writeMeta(db: Executor, id: string, meta: ChatMeta): Promise<void> {
  await db
    .updateTable("chat")
    .set({ meta: JSON.stringify(meta) })
    .where("id", "=", id)
    .execute();
}

/** Adds a tag to a user's chat (creating the tag); a tag it already has is left as is. */
export async function addChatTag(db: Executor, userId: string, chat: ChatRecord, name: string): Promise<TagRecord[]> {
  const tagId = tagIdOf(name);
  const tags = chat.meta.tags ?? [];
  await ensureTags(db, userId, [name]);
  if (!tags.includes(tagId)) await writeMeta(db, chat.id, { ...chat.meta, tags: [...tags, tagId] });
  const updated = await findChat(db, userId, chat.id);
  return updated ? tagsOfChat(db, userId, updated) : [];
}

/** Takes a tag off a user's chat; a tag no chat carries any more is deleted. */
export async function removeChatTag(db: Executor, userId: string, chat: ChatRecord, name: string): Promise<TagRecord[]> {
  const tagId = tagIdOf(name);
  await writeMeta(db, chat.id, { ...chat.meta, tags: (chat.meta.tags ?? []).filter((tag) => tag !== tagId) });
  await deleteUnusedTags(db, userId, [tagId]);
  const updated = await findChat(db, userId, chat.id);
  return updated ? tagsOfChat(db, userId, updated) : [];
}

/** One chat of Open WebUI's `POST /api/v1/chats/import` (`ChatImportForm`). */
export interface ChatImport {
  chat: ChatData;
  meta?: Record<string, unknown> | null;
  pinned?: boolean | null;
  archived?: boolean | null;
  folder_id?: string | null;
  created_at?: number | null;
  updated_at?: number | null;
}

/**
 * Stores imported chats as new chats of the user, keeping their timestamps, pin, archive flag and
 * tags (created as needed); a folder that is not the user's is dropped.
 */
export async function importChats(db: Executor, userId: string, imports: ChatImport[]): Promise<ChatRecord[]> {
  const folderIds = new Set(
    (await db.selectFrom("folder").select("id").where("user_id", "=", userId).execute()).map((folder) => folder.id),
  );
  const imported: ChatRecord[] = [];
  for (const item of imports) {
    const chat = chatDataSchema.parse(withoutPluginMeta(item.chat));
    const rawTags = Array.isArray(item.meta?.tags)
      ? item.meta.tags.filter((tag): tag is string => typeof tag === "string" && tag.trim() !== "")
      : [];
    await ensureTags(db, userId, rawTags);
    const meta = { ...item.meta, tags: [...new Set(rawTags.map(tagIdOf))] };
    const now = epochSeconds();
    const createdAt = item.created_at ?? item.updated_at ?? now;
    const row = await db
      .insertInto("chat")
      .values({
        id: randomUUID(),
        user_id: userId,
        title: chat.title,
        chat: JSON.stringify(chat),
        archived: Boolean(item.archived),
        pinned: Boolean(item.pinned),
        folder_id: item.folder_id && folderIds.has(item.folder_id) ? item.folder_id : null,
        meta: JSON.stringify(meta),
        created_at: createdAt,
        updated_at: item.updated_at ?? createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    imported.push(toRecord(row));
  }
  return imported;
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
