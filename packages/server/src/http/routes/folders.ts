import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import {
  createFolder,
  deleteFolder,
  findFolder,
  findFolderByName,
  folderAndDescendantIds,
  type FolderRecord,
  listFolders,
  updateFolder,
} from "../../db/folders-repository.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { type RequestUser, requireVerified } from "../request-user.ts";
import { actorOf } from "../../workspace/event-plugins.ts";

const idParams = z.object({ id: z.string().min(1) });
const name = z.string().trim().min(1, "a folder needs a name").max(200);
const jsonObject = z.record(z.string(), z.unknown()).nullish();
const newFolderBody = z.object({ name, parent_id: z.string().min(1).nullish(), meta: jsonObject, data: jsonObject });
const renameBody = z.object({ name });
const parentBody = z.object({ parent_id: z.string().min(1).nullish() });
const expandedBody = z.object({ is_expanded: z.boolean() });
const deleteQuery = z.object({
  delete_contents: z
    .enum(["true", "false"])
    .optional()
    .transform((value) => value !== "false"),
});

/** `/api/v1/folders/…` on Open WebUI's paths: each user's own folders of chats. */
export function registerFolderRoutes(app: FastifyInstance, services: AppServices): void {
  const { db } = services;
  const prefix = "/api/v1/folders";

  async function ownFolder(user: RequestUser, id: string): Promise<FolderRecord> {
    const folder = await findFolder(db, user.id, id);
    if (!folder) throw new SluiceError("NOT_FOUND", `Folder not found: ${id}`);
    return folder;
  }

  async function refuseDuplicate(user: RequestUser, parentId: string | null, folderName: string, exceptId?: string): Promise<void> {
    const existing = await findFolderByName(db, user.id, parentId, folderName);
    if (existing && existing.id !== exceptId) throw new SluiceError("INVALID_INPUT", `Folder already exists: ${folderName}`);
  }

  app.get(`${prefix}/`, async (request) => listFolders(db, requireVerified(request).id));

  app.post(`${prefix}/`, async (request) => {
    const user = requireVerified(request);
    const body = parseInput(newFolderBody, request.body);
    const parentId = body.parent_id ?? null;
    if (parentId !== null) await ownFolder(user, parentId);
    await refuseDuplicate(user, parentId, body.name);
    return createFolder(db, { userId: user.id, name: body.name, parentId, meta: body.meta, data: body.data });
  });

  app.get(`${prefix}/:id`, async (request) => ownFolder(requireVerified(request), parseInput(idParams, request.params).id));

  app.post(`${prefix}/:id/update`, async (request) => {
    const user = requireVerified(request);
    const folder = await ownFolder(user, parseInput(idParams, request.params).id);
    const body = parseInput(renameBody, request.body);
    await refuseDuplicate(user, folder.parent_id, body.name, folder.id);
    return updateFolder(db, user.id, folder.id, { name: body.name });
  });

  app.post(`${prefix}/:id/update/parent`, async (request) => {
    const user = requireVerified(request);
    const folder = await ownFolder(user, parseInput(idParams, request.params).id);
    const parentId = parseInput(parentBody, request.body).parent_id ?? null;
    if (parentId !== null) {
      await ownFolder(user, parentId);
      if ((await folderAndDescendantIds(db, user.id, folder.id)).includes(parentId)) {
        throw new SluiceError("INVALID_INPUT", "A folder cannot be moved into itself or a folder inside it");
      }
    }
    await refuseDuplicate(user, parentId, folder.name, folder.id);
    return updateFolder(db, user.id, folder.id, { parent_id: parentId });
  });

  app.post(`${prefix}/:id/update/expanded`, async (request) => {
    const user = requireVerified(request);
    const folder = await ownFolder(user, parseInput(idParams, request.params).id);
    return updateFolder(db, user.id, folder.id, { is_expanded: parseInput(expandedBody, request.body).is_expanded });
  });

  // Open WebUI deletes the folder's chats too unless `delete_contents=false`.
  app.delete(`${prefix}/:id`, async (request) => {
    const user = requireVerified(request);
    const folder = await ownFolder(user, parseInput(idParams, request.params).id);
    const { delete_contents: deleteContents } = parseInput(deleteQuery, request.query);
    const chatIds = await deleteFolder(db, user.id, folder.id, deleteContents);
    const event = deleteContents ? "chat.deleted" : "chat.updated";
    for (const id of chatIds) services.events.raise(event, { subject: { type: "chat", id }, actor: actorOf(user), data: {} });
    return true;
  });
}
