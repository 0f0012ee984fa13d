import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { findFunction, insertFunction, updateFunction, type FunctionKind } from "../db/functions-repository.ts";
import { accessControlSchema, findTool, insertTool, updateTool } from "../db/tools-repository.ts";
import type { LoadedPlugin } from "../plugins/load-plugin.ts";
import { buildMeta, normalisePluginId, type PluginNamespace } from "./plugin-workspace.ts";
import { prepareValvesUpdate } from "./plugin-valves.ts";
import { awaitsApproval } from "./approve-permissions.ts";

const importItemSchema = z.looseObject({
  id: z.string().min(1, "id is required"),
  name: z.string().trim().min(1, "name is required"),
  content: z.string().min(1, "content is required"),
  meta: z.looseObject({ description: z.string().optional() }).nullish(),
  valves: z.record(z.string(), z.unknown()).nullish(),
  is_active: z.boolean().optional(),
  is_global: z.boolean().optional(),
  access_control: accessControlSchema.optional(),
});

export type ImportItem = z.output<typeof importItemSchema>;

/** `{functions: [...]}` / `{tools: [...]}` (Open WebUI's sync body) or a bare exported list. */
export function pluginImportSchema(key: "functions" | "tools") {
  return z
    .union([z.array(importItemSchema), z.object({ [key]: z.array(importItemSchema) })])
    .transform((value) => (Array.isArray(value) ? value : (value[key] as ImportItem[])));
}

interface Prepared {
  item: ImportItem;
  id: string;
  loaded: LoadedPlugin;
  sealedValves?: Record<string, unknown>;
}

/**
 * Creates or updates every plugin of an exported list. All of them are loaded and their valves
 * validated first, then written in one transaction: when one fails, none is stored, and the
 * error names the plugin.
 */
export async function importPlugins(services: AppServices, namespace: PluginNamespace, admin: RequestUser, items: ImportItem[]) {
  const { db, workspace, secrets } = services;
  const prepared: Prepared[] = [];
  const seen = new Set<string>();
  const disposeAll = () => prepared.forEach(({ loaded }) => loaded.sandbox.dispose());
  try {
    for (const item of items) {
      const id = normalisePluginId(item.id);
      if (seen.has(id)) throw new SluiceError("INVALID_INPUT", `The id "${id}" appears twice in the list`);
      seen.add(id);
      let loaded: LoadedPlugin;
      try {
        loaded = await workspace.prepare(namespace, id, item.content, "requested"); // admins import
      } catch (error) {
        throw prefixed(error, id);
      }
      prepared.push({ item, id, loaded });
      if (item.valves && Object.keys(item.valves).length > 0) {
        try {
          prepared.at(-1)!.sealedValves = (await prepareValvesUpdate(loaded, "valves", item.valves, {}, secrets)).sealed;
        } catch (error) {
          throw prefixed(error, id);
        }
      }
    }
    const records = await db.transaction().execute(async (transaction) => {
      const written = [];
      for (const { item, id, loaded, sealedValves } of prepared) {
        const common = {
          name: item.name,
          content: item.content,
          meta: buildMeta(item.meta ?? undefined, loaded),
          content_hash: loaded.contentHash,
          ...(sealedValves ? { valves: sealedValves } : {}),
        };
        if (namespace === "function") {
          const fields = { ...common, type: loaded.descriptor.kind as FunctionKind };
          // A trusted-tier plugin (`permissions: node`) is imported inactive: it waits for an admin's approval.
          const isActive = awaitsApproval(loaded) ? false : item.is_active;
          const flags = { ...(isActive === undefined ? {} : { is_active: isActive }), ...(item.is_global === undefined ? {} : { is_global: item.is_global }) };
          written.push(
            (await findFunction(transaction, id))
              ? await updateFunction(transaction, id, { ...fields, ...flags, load_error: null })
              : await insertFunction(transaction, { id, user_id: admin.id, ...fields, ...flags }),
          );
        } else {
          const fields = { ...common, specs: loaded.descriptor.tools };
          const access = item.access_control === undefined ? {} : { access_control: item.access_control };
          written.push(
            (await findTool(transaction, id))
              ? await updateTool(transaction, id, { ...fields, ...access, load_error: null })
              : await insertTool(transaction, { id, user_id: admin.id, access_control: item.access_control === undefined ? {} : item.access_control, ...fields }),
          );
        }
      }
      return written;
    });
    for (const { id, loaded } of prepared) workspace.install(namespace, id, loaded);
    return records.map((record) => {
      const { valves: _valves, content_hash: _hash, ...rest } = record!;
      return rest;
    });
  } catch (error) {
    disposeAll();
    throw error;
  }
}

function prefixed(error: unknown, id: string): unknown {
  if (!SluiceError.isInstance(error)) return error;
  return new SluiceError(error.code, `${id}: ${error.message}`, { pluginId: id, details: error.details, cause: error });
}
