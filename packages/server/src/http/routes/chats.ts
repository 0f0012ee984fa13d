import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { chatChangesSchema, chatDataSchema } from "../../db/chat-data.ts";
import { type ChatRecord, createChat, deleteChat, findChat, listChats, setChatArchived, updateChat } from "../../db/chats-repository.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { type RequestUser, requireVerified } from "../request-user.ts";
import { actorOf } from "../../workspace/event-plugins.ts";

const idParams = z.object({ id: z.string().min(1) });
const listQuery = z.object({ page: z.coerce.number().int().min(1).optional() });
const newChatBody = z.object({ chat: chatDataSchema });
const chatUpdateBody = z.object({ chat: chatChangesSchema });

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
    return listChats(db, user.id, parseInput(listQuery, request.query));
  };
  app.get(`${prefix}/`, list);
  app.get(`${prefix}/list`, list);

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

  app.delete(`${prefix}/:id`, async (request) => {
    const user = requireVerified(request);
    const { id } = parseInput(idParams, request.params);
    if (!(await deleteChat(db, user.id, id))) throw new SluiceError("NOT_FOUND", `Chat not found: ${id}`);
    services.events.raise("chat.deleted", { subject: { type: "chat", id }, actor: actorOf(user), data: {} });
    return true;
  });
}
