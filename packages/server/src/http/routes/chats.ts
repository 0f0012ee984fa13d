import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { chatChangesSchema, chatDataSchema } from "../../db/chat-data.ts";
import {
  addChatTag,
  type ChatRecord,
  createChat,
  deleteChat,
  findChat,
  importChats,
  listArchivedChats,
  listChats,
  listChatsInFolders,
  listFolderChatTitles,
  listPinnedChats,
  listTags,
  removeChatTag,
  searchChats,
  setChatArchived,
  setChatFolder,
  setChatPinned,
  tagIdOf,
  tagsOfChat,
  updateChat,
} from "../../db/chats-repository.ts";
import { findFolder, folderAndDescendantIds } from "../../db/folders-repository.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { type RequestUser, requireVerified } from "../request-user.ts";
import { actorOf } from "../../workspace/event-plugins.ts";

const idParams = z.object({ id: z.string().min(1) });
const folderParams = z.object({ folder_id: z.string().min(1) });
const page = z.coerce.number().int().min(1).optional();
const flag = z
  .enum(["true", "false"])
  .optional()
  .transform((value) => value === "true");
const listQuery = z.object({ page, include_pinned: flag, include_folders: flag });
const searchQuery = z.object({ text: z.string(), page });
const archivedQuery = z.object({ page, query: z.string().optional() });
const folderListQuery = z.object({ page });
const newChatBody = z.object({ chat: chatDataSchema });
const chatUpdateBody = z.object({ chat: chatChangesSchema });
const tagBody = z.object({
  name: z
    .string()
    .trim()
    .min(1, "a tag needs a name")
    .refine((name) => tagIdOf(name) !== "none", "a tag cannot be named “None”"),
});
const folderBody = z.object({ folder_id: z.string().min(1).nullable().optional() });
/** Open WebUI's `ChatsImportForm`. */
const importBody = z.object({
  chats: z.array(
    z.object({
      chat: chatDataSchema,
      meta: z.looseObject({ tags: z.array(z.string()).optional() }).nullish(),
      pinned: z.boolean().nullish(),
      archived: z.boolean().nullish(),
      folder_id: z.string().nullish(),
      created_at: z.number().int().min(0).nullish(),
      updated_at: z.number().int().min(0).nullish(),
    }),
  ),
});

/** `/api/v1/chats/…` on Open WebUI's paths: each user sees and changes only their own chats. */
export function registerChatRoutes(app: FastifyInstance, services: AppServices): void {
  const { db } = services;
  const prefix = "/api/v1/chats";

  /** Another user's chat, or a temporary one, is reported missing so ids don't leak. */
  async function ownChat(user: RequestUser, id: string): Promise<ChatRecord> {
    const chat = await findChat(db, user.id, id);
    if (!chat) throw new SluiceError("NOT_FOUND", `Chat not found: ${id}`);
    return chat;
  }

  const list = async (request: Parameters<typeof requireVerified>[0]) => {
    const user = requireVerified(request);
    const query = parseInput(listQuery, request.query);
    return listChats(db, user.id, { page: query.page, includePinned: query.include_pinned, includeFolders: query.include_folders });
  };
  app.get(`${prefix}/`, list);
  app.get(`${prefix}/list`, list);

  // Title or message content; `tag:<name>` words filter by tag.
  app.get(`${prefix}/search`, async (request) => {
    const user = requireVerified(request);
    const { text, page } = parseInput(searchQuery, request.query);
    return searchChats(db, user.id, text, page);
  });

  app.get(`${prefix}/pinned`, async (request) => listPinnedChats(db, requireVerified(request).id));

  app.get(`${prefix}/archived`, async (request) => {
    const user = requireVerified(request);
    return listArchivedChats(db, user.id, parseInput(archivedQuery, request.query));
  });

  /** The caller's folder, else 404. */
  async function ownFolderId(user: RequestUser, params: unknown): Promise<string> {
    const { folder_id: folderId } = parseInput(folderParams, params);
    if (!(await findFolder(db, user.id, folderId))) throw new SluiceError("NOT_FOUND", `Folder not found: ${folderId}`);
    return folderId;
  }

  // A folder's chats and those of every folder under it, whole (Open WebUI's folder export).
  app.get(`${prefix}/folder/:folder_id`, async (request) => {
    const user = requireVerified(request);
    const folderId = await ownFolderId(user, request.params);
    return listChatsInFolders(db, user.id, await folderAndDescendantIds(db, user.id, folderId));
  });

  app.get(`${prefix}/folder/:folder_id/list`, async (request) => {
    const user = requireVerified(request);
    const folderId = await ownFolderId(user, request.params);
    return listFolderChatTitles(db, user.id, folderId, parseInput(folderListQuery, request.query).page);
  });

  app.get(`${prefix}/all/tags`, async (request) => listTags(db, requireVerified(request).id));

  app.post(`${prefix}/import`, async (request) => {
    const user = requireVerified(request);
    const { chats } = parseInput(importBody, request.body);
    const imported = await importChats(db, user.id, chats);
    for (const chat of imported) {
      services.events.raise("chat.created", { subject: { type: "chat", id: chat.id }, actor: actorOf(user), data: { title: chat.title } });
    }
    return imported;
  });

  app.post(`${prefix}/new`, async (request) => {
    const user = requireVerified(request);
    const { chat } = parseInput(newChatBody, request.body);
    const created = await createChat(db, { userId: user.id, chat });
    services.events.raise("chat.created", {
      subject: { type: "chat", id: created.id },
      actor: actorOf(user),
      data: { title: created.title },
    });
    return created;
  });

  app.get(`${prefix}/:id`, async (request) => {
    const user = requireVerified(request);
    return ownChat(user, parseInput(idParams, request.params).id);
  });

  app.post(`${prefix}/:id`, async (request) => {
    const user = requireVerified(request);
    const { id } = parseInput(idParams, request.params);
    const { chat } = parseInput(chatUpdateBody, request.body);
    const updated = await updateChat(db, user.id, id, chat);
    if (!updated) throw new SluiceError("NOT_FOUND", `Chat not found: ${id}`);
    services.events.raise("chat.updated", { subject: { type: "chat", id }, actor: actorOf(user), data: { title: updated.title } });
    return updated;
  });

  // Open WebUI's archive button toggles.
  app.post(`${prefix}/:id/archive`, async (request) => {
    const user = requireVerified(request);
    const chat = await ownChat(user, parseInput(idParams, request.params).id);
    const archived = await setChatArchived(db, user.id, chat.id, !chat.archived);
    services.events.raise("chat.updated", { subject: { type: "chat", id: chat.id }, actor: actorOf(user), data: { title: chat.title } });
    return archived;
  });

  // Open WebUI's pin button toggles.
  app.post(`${prefix}/:id/pin`, async (request) => {
    const user = requireVerified(request);
    const chat = await ownChat(user, parseInput(idParams, request.params).id);
    return setChatPinned(db, user.id, chat.id, !chat.pinned);
  });

  app.get(`${prefix}/:id/pinned`, async (request) => {
    const user = requireVerified(request);
    return (await ownChat(user, parseInput(idParams, request.params).id)).pinned;
  });

  app.post(`${prefix}/:id/folder`, async (request) => {
    const user = requireVerified(request);
    const chat = await ownChat(user, parseInput(idParams, request.params).id);
    const { folder_id: folderId = null } = parseInput(folderBody, request.body);
    if (folderId !== null && !(await findFolder(db, user.id, folderId)))
      throw new SluiceError("NOT_FOUND", `Folder not found: ${folderId}`);
    return setChatFolder(db, user.id, chat.id, folderId);
  });

  app.get(`${prefix}/:id/tags`, async (request) => {
    const user = requireVerified(request);
    return tagsOfChat(db, user.id, await ownChat(user, parseInput(idParams, request.params).id));
  });

  app.post(`${prefix}/:id/tags`, async (request) => {
    const user = requireVerified(request);
    const chat = await ownChat(user, parseInput(idParams, request.params).id);
    return addChatTag(db, user.id, chat, parseInput(tagBody, request.body).name);
  });

  app.delete(`${prefix}/:id/tags`, async (request) => {
    const user = requireVerified(request);
    const chat = await ownChat(user, parseInput(idParams, request.params).id);
    return removeChatTag(db, user.id, chat, parseInput(tagBody, request.body).name);
  });

  app.delete(`${prefix}/:id`, async (request) => {
    const user = requireVerified(request);
    const { id } = parseInput(idParams, request.params);
    if (!(await deleteChat(db, user.id, id))) throw new SluiceError("NOT_FOUND", `Chat not found: ${id}`);
    services.events.raise("chat.deleted", { subject: { type: "chat", id }, actor: actorOf(user), data: {} });
    return true;
  });
}
