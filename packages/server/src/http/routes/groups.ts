import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { createGroup, deleteGroup, findGroupById, listGroups, updateGroup } from "../../db/groups-repository.ts";
import { permissionsSchema } from "../../db/permissions.ts";
import { listUsers } from "../../db/users-repository.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireAdmin, requireVerified } from "../request-user.ts";

const groupFormSchema = z.object({
  name: z.string().trim().min(1, "Name must not be empty").max(255),
  description: z.string().max(10_000).optional(),
  user_ids: z.array(z.string()).optional(),
  permissions: permissionsSchema.optional(),
});

const idParams = z.object({ id: z.string().min(1) });

/**
 * Groups of users and the permissions they grant, under `/api/v1/groups`. Admins manage them; a
 * user lists the groups it belongs to (to share a tool or model with one).
 */
export function registerGroupRoutes(app: FastifyInstance, services: AppServices): void {
  const { db } = services;
  const prefix = "/api/v1/groups";

  async function checkUsersExist(userIds: string[] | undefined): Promise<void> {
    if (!userIds?.length) return;
    const known = new Set((await listUsers(db)).map((user) => user.id));
    const unknown = userIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new SluiceError("INVALID_INPUT", `user_ids: no such user: ${unknown.join(", ")}`);
  }

  app.get(`${prefix}/`, async (request) => {
    const caller = requireVerified(request);
    const groups = await listGroups(db);
    return caller.role === "admin" ? groups : groups.filter((group) => group.user_ids.includes(caller.id));
  });

  app.post(`${prefix}/create`, async (request) => {
    const caller = requireAdmin(request);
    const form = parseInput(groupFormSchema, request.body);
    await checkUsersExist(form.user_ids);
    return createGroup(db, {
      userId: caller.id,
      name: form.name,
      description: form.description,
      userIds: form.user_ids,
      permissions: form.permissions,
    });
  });

  app.get(`${prefix}/id/:id`, async (request) => {
    requireAdmin(request);
    const { id } = parseInput(idParams, request.params);
    const group = await findGroupById(db, id);
    if (!group) throw new SluiceError("NOT_FOUND", `Group not found: ${id}`);
    return group;
  });

  app.post(`${prefix}/id/:id/update`, async (request) => {
    requireAdmin(request);
    const { id } = parseInput(idParams, request.params);
    const form = parseInput(groupFormSchema.partial(), request.body);
    await checkUsersExist(form.user_ids);
    const group = await updateGroup(db, id, {
      name: form.name,
      description: form.description,
      userIds: form.user_ids,
      permissions: form.permissions,
    });
    if (!group) throw new SluiceError("NOT_FOUND", `Group not found: ${id}`);
    return group;
  });

  app.delete(`${prefix}/id/:id/delete`, async (request) => {
    requireAdmin(request);
    const { id } = parseInput(idParams, request.params);
    if (!(await deleteGroup(db, id))) throw new SluiceError("NOT_FOUND", `Group not found: ${id}`);
    return true;
  });
}
