import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { functionTypeOf } from "@sluice/sdk/wire";
import type { FunctionKind, FunctionRecord } from "../core/records.ts";
import { findFunction, insertFunction, updateFunction } from "../db/functions-repository.ts";
import type { LoadedPlugin } from "../plugins/loaded-plugin.ts";
import { pluginLimitsSchema } from "../plugins/plugin-limits.ts";
import type { AppServices } from "../services.ts";
import { awaitsApproval, keepsNodeGrant } from "./approve-permissions.ts";
import { installSavedPlugin } from "./install-saved-plugin.ts";
import { buildMeta, normalisePluginId } from "./plugin-workspace.ts";
import { keepVersion } from "./keep-version.ts";

/** The form of `POST /api/v1/functions/create` (and of tools, which add `access_control`). */
export const functionFormSchema = z.object({
  id: z.string().min(1, "id is required"),
  name: z.string().trim().min(1, "name is required").max(200),
  content: z.string().min(1, "content is required"),
  // `limits`: an admin's override of the sandbox limits (see plugins/plugin-limits.ts).
  meta: z.looseObject({ description: z.string().optional(), limits: pluginLimitsSchema.optional() }).optional(),
  // What changed, kept with the version this save makes (see plugin-versions.ts).
  message: z.string().max(500, "message is at most 500 characters").optional(),
});

export type FunctionForm = z.output<typeof functionFormSchema>;

type SaveServices = Pick<AppServices, "db" | "workspace">;

function kindOf(loaded: LoadedPlugin): FunctionKind {
  const { kind } = loaded.descriptor;
  if (kind === "tools") throw new SluiceError("INVALID_INPUT", "This is a tools module; create it under Tools, not Functions");
  return functionTypeOf(kind);
}

/** A function stored with the code it loaded. */
export interface SavedFunction {
  record: FunctionRecord;
  loaded: LoadedPlugin;
}

/** Creates a function (admins only, checked by the route): the code must load first; nothing is stored when it does not. */
export async function createFunction(services: SaveServices, ownerId: string, form: FunctionForm): Promise<SavedFunction> {
  const { db, workspace } = services;
  const id = normalisePluginId(form.id);
  if (await findFunction(db, id)) throw new SluiceError("ALREADY_EXISTS", `The id "${id}" is already taken`);
  const loaded = await workspace.prepare("function", id, form.content);
  const record = await installSavedPlugin(workspace, "function", id, loaded, () =>
    db.transaction().execute(async (transaction) => {
      const row = await insertFunction(transaction, {
        id,
        user_id: ownerId,
        name: form.name,
        type: kindOf(loaded),
        content: form.content,
        meta: buildMeta(form.meta, loaded),
        content_hash: loaded.contentHash,
      });
      await keepVersion(transaction, "function", row, ownerId, form.message);
      return row;
    }),
  );
  return { record, loaded };
}

/**
 * Replaces a function's code and name: the new code must load first. Code that now asks for the
 * trusted tier waits, inactive, for an admin's approval; an approval already given stays only
 * while the code asks for the same. The save is kept as a version by `authorId`.
 */
export async function updateFunctionCode(
  services: SaveServices,
  current: FunctionRecord,
  form: Omit<FunctionForm, "id">,
  authorId: string,
): Promise<SavedFunction> {
  const { db, workspace } = services;
  const loaded = await workspace.prepare("function", current.id, form.content, undefined, keepsNodeGrant(current, form.content, true));
  const record = await installSavedPlugin(workspace, "function", current.id, loaded, () =>
    db.transaction().execute(async (transaction) => {
      const row = await updateFunction(transaction, current.id, {
        name: form.name,
        type: kindOf(loaded),
        content: form.content,
        meta: buildMeta({ ...current.meta, ...form.meta }, loaded),
        content_hash: loaded.contentHash,
        load_error: null,
        ...(awaitsApproval(loaded) ? { is_active: false } : {}),
      });
      if (row) await keepVersion(transaction, "function", row, authorId, form.message);
      return row;
    }),
  );
  return { record, loaded };
}

/** Switches a function on or off; switching on checks that the code still loads, so an active plugin is one that works. */
export async function toggleFunctionActive(
  services: SaveServices,
  record: FunctionRecord,
): Promise<{ record: FunctionRecord; loaded?: LoadedPlugin }> {
  const loaded = record.is_active ? undefined : await services.workspace.loaded("function", record);
  const updated = await updateFunction(services.db, record.id, { is_active: !record.is_active });
  if (!updated) throw new SluiceError("NOT_FOUND", `Function not found: ${record.id}`);
  return { record: updated, loaded };
}
