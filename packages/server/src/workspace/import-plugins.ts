import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { functionTypeOf } from "@sluice/sdk/wire";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { findFunction, insertFunction, updateFunction, type FunctionKind } from "../db/functions-repository.ts";
import { accessControlSchema, findTool, insertTool, updateTool } from "../db/tools-repository.ts";
import type { LoadedPlugin } from "../plugins/load-plugin.ts";
import { buildMeta, normalisePluginId, type PluginNamespace } from "./plugin-workspace.ts";
import { prepareValvesUpdate } from "./plugin-valves.ts";
import { awaitsApproval } from "./approve-permissions.ts";
import { keepVersion } from "./keep-version.ts";

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

/** The message of the version an import keeps. */
const IMPORT_MESSAGE = "Imported";

export type ImportItem = z.output<typeof importItemSchema>;

/** `{functions: [...]}` / `{tools: [...]}` (Open WebUI's sync body) or a bare exported list. */
export function pluginImportSchema(key: "functions" | "tools") {
  return z
    .union([z.array(importItemSchema), z.object({ [key]: z.array(importItemSchema) })])
    .transform((value) => (Array.isArray(value) ? value : (value[key] as ImportItem[])));
}

/** What an import writes for one item, taken from its load; its isolate is already disposed. */
interface Prepared {
  item: ImportItem;
  id: string;
  contentHash: string;
  meta: ReturnType<typeof buildMeta>;
  /** A function's stored type; null for a tools module. */
  kind: FunctionKind | null;
  specs: LoadedPlugin["descriptor"]["tools"];
  isAwaitingApproval: boolean;
  sealedValves?: Record<string, unknown>;
}

/**
 * Creates or updates every plugin of an exported list (at most `PLUGIN_MAX_IMPORT_ITEMS`). Each is
 * loaded and its valves validated first, one at a time, its isolate disposed right after (nothing
 * stays loaded: each plugin loads on its first use); then all are written in one transaction:
 * when one fails, none is stored, and the error names the plugin.
 */
export async function importPlugins(services: AppServices, namespace: PluginNamespace, admin: RequestUser, items: ImportItem[]) {
  const { db, workspace, config } = services;
  if (items.length > config.pluginMaxImportItems) {
    throw new SluiceError(
      "PAYLOAD_TOO_LARGE",
      `An import may hold at most ${config.pluginMaxImportItems} plugins (PLUGIN_MAX_IMPORT_ITEMS); this one has ${items.length}. Import them in parts.`,
    );
  }
  const prepared: Prepared[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const id = normalisePluginId(item.id);
    if (seen.has(id)) throw new SluiceError("INVALID_INPUT", `The id "${id}" appears twice in the list`);
    seen.add(id);
    prepared.push(await prepareItem(services, namespace, item, id));
  }
  const records = await db.transaction().execute(async (transaction) => {
    const written = [];
    for (const { item, id, contentHash, meta, kind, specs, isAwaitingApproval, sealedValves } of prepared) {
      const common = {
        name: item.name,
        content: item.content,
        meta,
        content_hash: contentHash,
        ...(sealedValves ? { valves: sealedValves } : {}),
      };
      if (namespace === "function") {
        // Loading under Functions refused a tools module, so a function's kind is known here.
        const fields = { ...common, type: kind! };
        // A trusted-tier plugin (`permissions: node`) is imported inactive: it waits for an admin's approval.
        const isActive = isAwaitingApproval ? false : item.is_active;
        const flags = {
          ...(isActive === undefined ? {} : { is_active: isActive }),
          ...(item.is_global === undefined ? {} : { is_global: item.is_global }),
        };
        const row = (await findFunction(transaction, id))
          ? await updateFunction(transaction, id, { ...fields, ...flags, load_error: null })
          : await insertFunction(transaction, { id, user_id: admin.id, ...fields, ...flags });
        await keepVersion(transaction, namespace, row!, admin.id, IMPORT_MESSAGE);
        written.push(row);
      } else {
        const fields = { ...common, specs };
        const access = item.access_control === undefined ? {} : { access_control: item.access_control };
        const row = (await findTool(transaction, id))
          ? await updateTool(transaction, id, { ...fields, ...access, load_error: null })
          : await insertTool(transaction, {
              id,
              user_id: admin.id,
              access_control: item.access_control === undefined ? {} : item.access_control,
              ...fields,
            });
        await keepVersion(transaction, namespace, row!, admin.id, IMPORT_MESSAGE);
        written.push(row);
      }
    }
    return written;
  });
  for (const { id, contentHash } of prepared) workspace.replaced(namespace, id, contentHash);
  return records.map((record) => {
    const { valves: _valves, content_hash: _hash, ...rest } = record!;
    return rest;
  });
}

/** Loads one item to validate it and its valves, keeps what the write needs, and disposes its isolate. */
async function prepareItem(services: AppServices, namespace: PluginNamespace, item: ImportItem, id: string): Promise<Prepared> {
  let loaded: LoadedPlugin;
  try {
    loaded = await services.workspace.prepare(namespace, id, item.content, "requested"); // admins import
  } catch (error) {
    throw prefixed(error, id);
  }
  try {
    const sealedValves =
      item.valves && Object.keys(item.valves).length > 0
        ? (await prepareValvesUpdate(loaded, "valves", item.valves, {}, services.secrets)).sealed
        : undefined;
    return {
      item,
      id,
      contentHash: loaded.contentHash,
      meta: buildMeta(item.meta ?? undefined, loaded),
      kind: loaded.descriptor.kind === "tools" ? null : functionTypeOf(loaded.descriptor.kind),
      specs: loaded.descriptor.tools,
      isAwaitingApproval: awaitsApproval(loaded),
      ...(sealedValves ? { sealedValves } : {}),
    };
  } catch (error) {
    throw prefixed(error, id);
  } finally {
    loaded.sandbox.dispose();
  }
}

function prefixed(error: unknown, id: string): unknown {
  if (!SluiceError.isInstance(error)) return error;
  return new SluiceError(error.code, `${id}: ${error.message}`, { pluginId: id, details: error.details, cause: error });
}
