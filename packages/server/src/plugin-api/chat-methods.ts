import { SluiceError } from "@sluice/sdk";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { ChatData, ChatMessageRecord } from "../db/chat-data.ts";
import { findChat, pluginMetaOf, updateChatPluginMeta, updateChatTitle } from "../db/chats-repository.ts";
import type { Database } from "../db/schema.ts";
import { defineMethod, type PluginApiMethods, type PluginApiScope } from "./plugin-api.ts";

/** The caps of `ctx.chat.meta`: those of `ctx.storage` (`PLUGIN_STORAGE_MAX_KEY_LENGTH`, `…_MAX_VALUE_BYTES`). */
export interface ChatMetaLimits {
  maxKeyLength: number;
  /** Most bytes of JSON one plugin keeps on one chat, all its keys together. */
  maxValueBytes: number;
}

const MAX_TITLE_LENGTH = 500;

/** The request's stored chat of the requesting user, or undefined (an API call without a chat, a temporary chat). */
function chatOf(scope: PluginApiScope): { userId: string; chatId: string } | undefined {
  return scope.userId && scope.chatId ? { userId: scope.userId, chatId: scope.chatId } : undefined;
}

function requireChat(scope: PluginApiScope, label: string): { userId: string; chatId: string } {
  const chat = chatOf(scope);
  if (!chat)
    throw new SluiceError(
      "NOT_FOUND",
      `${label} needs a stored chat, and this request has none (an API call without chat_id, or a temporary chat)`,
    );
  return chat;
}

/** Each plugin's space on a chat: a tool is kept apart from a function of the same id. */
function spaceOf(scope: PluginApiScope): string {
  return `${scope.namespace}:${scope.pluginId}`;
}

/**
 * `ctx.chat` on the service channel: `chat.get`, `chat.setTitle` and `chat.meta.*`. The chat is the
 * request's (`scope.chatId`) and only ever the requesting user's own; another user's chat id reads
 * as no chat. Meta lives in the chat's JSON (see `PLUGIN_META_KEY`), so it is deleted and
 * exported with the chat and changed under the chat's row lock.
 */
export function chatMethods(db: Kysely<Database>, limits: ChatMetaLimits): PluginApiMethods {
  const key = z
    .string()
    .min(1, "a key must not be empty")
    .max(limits.maxKeyLength, `a key is at most ${limits.maxKeyLength} characters (PLUGIN_STORAGE_MAX_KEY_LENGTH)`);
  const changeMeta = async <Result>(
    scope: PluginApiScope,
    label: string,
    update: (meta: Record<string, unknown>) => { meta: Record<string, unknown>; result: Result } | undefined,
  ): Promise<Result | undefined> => {
    const { userId, chatId } = requireChat(scope, label);
    const changed = await updateChatPluginMeta(db, userId, chatId, spaceOf(scope), update);
    return changed?.result;
  };
  return {
    "chat.get": defineMethod(z.tuple([]), async (scope) => {
      const request = chatOf(scope);
      const chat = request && (await findChat(db, request.userId, request.chatId));
      if (!chat) return null;
      return {
        id: chat.id,
        title: chat.title,
        messages: chat.chat.messages.map(storedMessage),
        files: filesOf(chat.chat),
        meta: pluginMetaOf(chat.chat, spaceOf(scope)),
      };
    }),
    "chat.setTitle": defineMethod(z.tuple([z.string().trim().min(1).max(MAX_TITLE_LENGTH)]), async (scope, [title]) => {
      const { userId, chatId } = requireChat(scope, "ctx.chat.setTitle");
      if (!(await updateChatTitle(db, userId, chatId, title))) throw new SluiceError("NOT_FOUND", `Chat not found: ${chatId}`);
      return null;
    }),
    "chat.meta.get": defineMethod(z.tuple([key]), async (scope, [name]) => {
      const request = chatOf(scope);
      const chat = request && (await findChat(db, request.userId, request.chatId));
      const meta = chat ? pluginMetaOf(chat.chat, spaceOf(scope)) : {};
      return Object.hasOwn(meta, name) ? { value: meta[name] } : null;
    }),
    "chat.meta.set": defineMethod(z.tuple([key, z.unknown()]), async (scope, [name, value]) => {
      const isStored = await changeMeta(scope, "ctx.chat.meta.set", (meta) => {
        const next = { ...meta, [name]: value ?? null };
        const bytes = Buffer.byteLength(JSON.stringify(next));
        if (bytes > limits.maxValueBytes) {
          throw new SluiceError(
            "PAYLOAD_TOO_LARGE",
            `With "${name}" this plugin's meta on the chat would be ${bytes} bytes of JSON; the limit is ${limits.maxValueBytes} ` +
              "(PLUGIN_STORAGE_MAX_VALUE_BYTES). Nothing was stored",
          );
        }
        return { meta: next, result: true };
      });
      if (!isStored) throw new SluiceError("NOT_FOUND", `Chat not found: ${scope.chatId}`);
      return null;
    }),
    "chat.meta.delete": defineMethod(z.tuple([key]), async (scope, [name]) => {
      if (!chatOf(scope)) return false;
      const isDeleted = await changeMeta(scope, "ctx.chat.meta.delete", (meta) => {
        if (!Object.hasOwn(meta, name)) return undefined;
        delete meta[name];
        return { meta, result: true };
      });
      return isDeleted === true;
    }),
  };
}

function storedMessage(message: ChatMessageRecord) {
  const { id, role, content, parentId, model, timestamp, files } = message;
  return {
    id,
    role,
    content,
    ...(parentId === undefined ? {} : { parentId }),
    ...(model === undefined ? {} : { model }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(files === undefined ? {} : { files }),
  };
}

/** The chat's own files and its messages', each once (by id, else by url). */
function filesOf(chat: ChatData): unknown[] {
  const lists = [(chat as { files?: unknown }).files, ...chat.messages.map((message) => message.files)];
  const seen = new Set<string>();
  const files: unknown[] = [];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (typeof entry !== "object" || entry === null) continue;
      const { id, url } = entry as { id?: unknown; url?: unknown };
      const identity = typeof id === "string" ? `id:${id}` : typeof url === "string" ? `url:${url}` : JSON.stringify(entry);
      if (seen.has(identity)) continue;
      seen.add(identity);
      files.push(entry);
    }
  }
  return files;
}
