import { SluiceError } from "@sluice/sdk";
import { canRead, canWrite } from "../core/access-control.ts";
import type { ToolRecord } from "../core/records.ts";
import { accessControlSchema, findTool, insertTool, updateTool } from "../db/tools-repository.ts";
import { hasPermission, type RequestUser } from "../http/request-user.ts";
import type { LoadedPlugin } from "../plugins/loaded-plugin.ts";
import { storedGrant } from "../plugins/plugin-registry.ts";
import type { AppServices } from "../services.ts";
import { keepsNodeGrant } from "./approve-permissions.ts";
import { assertToolQuota } from "./assert-tool-quota.ts";
import { functionFormSchema, type FunctionForm } from "./function-saves.ts";
import { installSavedPlugin } from "./install-saved-plugin.ts";
import { buildMeta, normalisePluginId } from "./plugin-workspace.ts";
import { keepVersion } from "./keep-version.ts";

/** The form of `POST /api/v1/tools/create`: a function's, with who may read and change the tool. */
export const toolFormSchema = functionFormSchema.extend({ access_control: accessControlSchema.optional() });

export type ToolForm = FunctionForm & { access_control?: ToolRecord["access_control"] };

type SaveServices = Pick<AppServices, "db" | "workspace" | "config">;

/** A tool the user may read; one they may not read is reported missing, so ids don't leak. */
export async function readableTool(services: Pick<AppServices, "db">, user: RequestUser, id: string): Promise<ToolRecord> {
  const record = await findTool(services.db, id);
  if (!record || !canRead(user, record)) throw new SluiceError("NOT_FOUND", `Tool not found: ${id}`);
  return record;
}

/** A tool the user may change (its owner, an admin, or a user or group on its `write` list). */
export async function writableTool(services: Pick<AppServices, "db">, user: RequestUser, id: string): Promise<ToolRecord> {
  const record = await readableTool(services, user, id);
  if (!canWrite(user, record)) throw new SluiceError("FORBIDDEN", `You may not change the tool ${id}`);
  return record;
}

/** Creating (and exporting) tools: admins, and users an admin allowed (`workspace.tools`, directly or through a group). */
export function requireToolCreator(user: RequestUser): void {
  if (!hasPermission(user, "workspace", "tools")) {
    throw new SluiceError("FORBIDDEN", "You may not create tools; an admin can allow it (workspace.tools permission)");
  }
}

/**
 * Creates a tool. Admins, and users an admin allowed (`workspace.tools`, directly or through a
 * group), within their quota. An admin's tool gets the permissions it asks for; a user's waits
 * for an admin's approval, and only admins set limits. A new tool is private to its owner unless
 * the form says otherwise (`access_control: null` is public read).
 */
export async function createTool(
  services: SaveServices,
  user: RequestUser,
  form: ToolForm,
): Promise<{ record: ToolRecord; loaded: LoadedPlugin }> {
  const { db, workspace } = services;
  requireToolCreator(user);
  const id = normalisePluginId(form.id);
  if (await findTool(db, id)) throw new SluiceError("ALREADY_EXISTS", `The id "${id}" is already taken`);
  await assertToolQuota(services, user);
  const isAdmin = user.role === "admin";
  const loaded = await workspace.prepare("tool", id, form.content, isAdmin ? "requested" : []);
  const record = await installSavedPlugin(workspace, "tool", id, loaded, () =>
    db.transaction().execute(async (transaction) => {
      const row = await insertTool(transaction, {
        id,
        user_id: user.id,
        name: form.name,
        content: form.content,
        specs: loaded.descriptor.tools,
        meta: buildMeta(isAdmin ? form.meta : { ...form.meta, limits: undefined }, loaded),
        access_control: form.access_control === undefined ? {} : form.access_control,
        content_hash: loaded.contentHash,
      });
      await keepVersion(transaction, "tool", row, user.id, form.message);
      return row;
    }),
  );
  return { record, loaded };
}

/**
 * Replaces a tool's code (the caller may write it): the new code must load first. A user's save
 * keeps the permissions an admin granted before; an admin's grants what the code asks for. Only
 * admins change a tool's limits.
 */
export async function updateToolCode(
  services: SaveServices,
  user: RequestUser,
  current: ToolRecord,
  form: Omit<ToolForm, "id">,
): Promise<{ record: ToolRecord; loaded: LoadedPlugin }> {
  const { db, workspace } = services;
  const isAdmin = user.role === "admin";
  const loaded = await workspace.prepare(
    "tool",
    current.id,
    form.content,
    isAdmin ? "requested" : storedGrant(current),
    keepsNodeGrant(current, form.content, isAdmin),
  );
  const record = await installSavedPlugin(workspace, "tool", current.id, loaded, () =>
    db.transaction().execute(async (transaction) => {
      const row = await updateTool(transaction, current.id, {
        name: form.name,
        content: form.content,
        specs: loaded.descriptor.tools,
        meta: buildMeta({ ...current.meta, ...form.meta, ...(isAdmin ? {} : { limits: current.meta.limits }) }, loaded),
        content_hash: loaded.contentHash,
        load_error: null,
        ...(form.access_control === undefined ? {} : { access_control: form.access_control }),
      });
      if (row) await keepVersion(transaction, "tool", row, user.id, form.message);
      return row;
    }),
  );
  return { record, loaded };
}
