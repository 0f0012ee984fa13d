import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { readDefaultPermissions, writeDefaultPermissions } from "../../auth/default-permissions.ts";
import { checkNewPassword } from "../../auth/check-new-password.ts";
import { hashPassword } from "../../auth/password.ts";
import { listGroups } from "../../db/groups-repository.ts";
import { permissionsSchema } from "../../db/permissions.ts";
import { countUsers, deleteUser, findUserById, listUsers, updateUser, updateUserSettings, type User } from "../../db/users-repository.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { presentUser } from "../present-user.ts";
import { requireAdmin, requireVerified } from "../request-user.ts";
import { signUpSchema } from "./auths.ts";

const userUpdateSchema = z.object({
  role: z.enum(["admin", "user", "pending"]).optional(),
  name: signUpSchema.shape.name.optional(),
  email: signUpSchema.shape.email.optional(),
  password: signUpSchema.shape.password.optional(),
  permissions: permissionsSchema.optional(),
});

const idParams = z.object({ id: z.string().min(1) });

/** What a user may store for the UI (`settings.ui`): its language and anything else the client keeps. */
const uiSettingsSchema = z.looseObject({
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "language must be a language tag such as en or de-CH")
    .optional(),
});

const userSettingsFormSchema = z.object({ ui: uiSettingsSchema });

const searchQuery = z.object({ query: z.string().max(255).optional() });

const UI_SETTINGS_MAX_CHARACTERS = 64 * 1024;

/** Admin user management and permissions under `/api/v1/users`. */
export function registerUserRoutes(app: FastifyInstance, services: AppServices): void {
  const { db } = services;
  const prefix = "/api/v1/users";

  async function findOrFail(id: string): Promise<User> {
    const user = await findUserById(db, id);
    if (!user) throw new SluiceError("NOT_FOUND", `User not found: ${id}`);
    return user;
  }

  async function groupIdsOf(userId: string): Promise<string[]> {
    return (await listGroups(db)).filter((group) => group.user_ids.includes(userId)).map((group) => group.id);
  }

  app.get(`${prefix}/`, async (request) => {
    requireAdmin(request);
    const [users, groups] = await Promise.all([listUsers(db), listGroups(db)]);
    return users.map((user) =>
      presentUser(
        user,
        groups.filter((group) => group.user_ids.includes(user.id)).map((group) => group.id),
      ),
    );
  });

  // Whom a user can share a tool or model with: id, name and avatar of every approved account.
  app.get(`${prefix}/search`, async (request) => {
    requireVerified(request);
    const query = (parseInput(searchQuery, request.query).query ?? "").trim().toLowerCase();
    const users = (await listUsers(db))
      .filter((user) => user.role !== "pending")
      .filter((user) => !query || user.name.toLowerCase().includes(query) || user.email.includes(query))
      .map((user) => ({ id: user.id, name: user.name, email: user.email, role: user.role, profile_image_url: user.profile_image_url }));
    return { users, total: users.length };
  });

  // The caller's own UI settings (Open WebUI's `settings.ui`): language and the like. Other keys of
  // `settings` (user valves, permissions) are not the client's to write here.
  app.get(`${prefix}/user/settings`, async (request) => {
    const caller = requireVerified(request);
    return { ui: uiSettingsSchema.catch({}).parse(caller.settings.ui ?? {}) };
  });

  app.post(`${prefix}/user/settings/update`, async (request) => {
    const caller = requireVerified(request);
    const { ui } = parseInput(userSettingsFormSchema, request.body);
    if (JSON.stringify(ui).length > UI_SETTINGS_MAX_CHARACTERS) {
      throw new SluiceError("INVALID_INPUT", `ui: too large (at most ${UI_SETTINGS_MAX_CHARACTERS} characters of JSON)`);
    }
    const updated = await updateUserSettings(db, caller.id, (settings) => ({ ...settings, ui }));
    if (!updated) throw new SluiceError("NOT_FOUND", "This account no longer exists");
    return { ui };
  });

  // The caller's effective permissions (defaults, its own and its groups').
  app.get(`${prefix}/permissions`, async (request) => requireVerified(request).permissions);

  const readDefaults = async (request: Parameters<typeof requireAdmin>[0]) => {
    requireAdmin(request);
    return readDefaultPermissions(db);
  };
  const writeDefaults = async (request: Parameters<typeof requireAdmin>[0]) => {
    requireAdmin(request);
    const permissions = parseInput(permissionsSchema, request.body);
    await writeDefaultPermissions(db, permissions);
    return permissions;
  };
  app.get(`${prefix}/permissions/default`, readDefaults);
  app.post(`${prefix}/permissions/default`, writeDefaults);
  // Open WebUI's spelling of the same endpoints.
  app.get(`${prefix}/default/permissions`, readDefaults);
  app.post(`${prefix}/default/permissions`, writeDefaults);

  app.get(`${prefix}/:id`, async (request) => {
    requireAdmin(request);
    const { id } = parseInput(idParams, request.params);
    return presentUser(await findOrFail(id), await groupIdsOf(id));
  });

  app.post(`${prefix}/:id/update`, async (request) => {
    requireAdmin(request);
    const { id } = parseInput(idParams, request.params);
    const form = parseInput(userUpdateSchema, request.body);
    const user = await findOrFail(id);
    if (form.password !== undefined) checkNewPassword(form.password, services.config.passwordMinLength);
    if (user.role === "admin" && form.role !== undefined && form.role !== "admin" && (await countUsers(db, "admin")) <= 1) {
      throw new SluiceError("INVALID_INPUT", "This is the only admin; make another user admin first");
    }
    await updateUser(db, id, {
      role: form.role,
      name: form.name,
      email: form.email,
      passwordHash: form.password === undefined ? undefined : await hashPassword(form.password),
    });
    if (form.permissions !== undefined) {
      await updateUserSettings(db, id, (settings) => ({ ...settings, permissions: form.permissions }));
    }
    // A new password ends the user's sessions; a role of "pending" suspends them.
    if (form.password !== undefined || form.role !== undefined) await services.realtime.endRevokedSessions(id);
    request.log.info({ userId: id, role: form.role }, "user updated by admin");
    return presentUser(await findOrFail(id), await groupIdsOf(id));
  });

  app.delete(`${prefix}/:id`, async (request) => {
    const caller = requireAdmin(request);
    const { id } = parseInput(idParams, request.params);
    if (id === caller.id) throw new SluiceError("INVALID_INPUT", "You cannot delete your own account");
    if (!(await deleteUser(db, id))) throw new SluiceError("NOT_FOUND", `User not found: ${id}`);
    await services.realtime.endRevokedSessions(id);
    return true;
  });
}
