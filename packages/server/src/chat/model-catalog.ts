import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { findFunction, listFunctions, type FunctionRecord } from "../db/functions-repository.ts";
import { findModel, listModels, type ModelRecord } from "../db/models-repository.ts";
import type { UpstreamModel } from "../providers/openai-upstream.ts";
import { canRead } from "../core/access-control.ts";
import type { PluginCaller } from "./plugin-caller.ts";

/** The plugin settings of a model (reference §1.4), from its model row's `meta`. */
export interface ModelPluginSettings {
  filterIds: string[];
  defaultFilterIds: string[];
  actionIds: string[];
  toolIds: string[];
}

export type ModelSource = { kind: "upstream"; upstream: UpstreamModel } | { kind: "pipe"; record: FunctionRecord; subModel?: string };

/** A model a chat can use: an upstream model, a pipe (or one manifold entry), or a custom model on top of one. */
export interface CatalogModel {
  id: string;
  name: string;
  created: number;
  owned_by: string;
  source: ModelSource;
  /** The row holding this model's settings (or the custom model itself), if any. */
  row?: ModelRecord;
  settings: ModelPluginSettings;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function settingsOf(row: ModelRecord | undefined): ModelPluginSettings {
  const meta = (row?.meta ?? {}) as Record<string, unknown>;
  return {
    filterIds: stringList(meta.filterIds),
    defaultFilterIds: stringList(meta.defaultFilterIds),
    actionIds: stringList(meta.actionIds),
    toolIds: stringList(meta.toolIds),
  };
}

/** A pipe's models: one per manifold entry (`<id>.<entry>`), or the pipe itself. */
export async function pipeModels(
  caller: PluginCaller,
  record: FunctionRecord,
  logger?: Logger,
): Promise<Array<{ id: string; name: string; subModel?: string }>> {
  const { descriptor } = await caller.plugin("function", record);
  if (descriptor.pipes === null && !descriptor.hasDynamicPipes) return [{ id: record.id, name: record.name }];
  const entries = descriptor.hasDynamicPipes
    ? ((await caller.invoke("function", record, "pipes", null)) as Array<{ id: string; name: string }>)
    : (descriptor.pipes ?? []);
  const seen = new Set<string>();
  const models: Array<{ id: string; name: string; subModel: string }> = [];
  for (const entry of entries) {
    // One bad entry drops that entry, not the manifold.
    const problem = entry.id.trim() === "" ? "an empty id" : seen.has(entry.id) ? `the id "${entry.id}" twice` : undefined;
    if (problem) {
      logger?.warn({ pluginId: record.id }, `manifold entry left out: ${problem}`);
      continue;
    }
    seen.add(entry.id);
    models.push({ id: `${record.id}.${entry.id}`, name: entry.name, subModel: entry.id });
  }
  return models;
}

async function resolveBase(
  services: AppServices,
  caller: PluginCaller,
  id: string,
): Promise<Omit<CatalogModel, "row" | "settings"> | undefined> {
  // `<plugin id>.<entry id>`, split at the first dot: entry ids are model ids and have dots of their own.
  const functionId = id.split(".")[0]!;
  const record = await findFunction(services.db, functionId);
  if (record && record.type === "pipe" && record.is_active) {
    const entry = (await pipeModels(caller, record, services.logger)).find((model) => model.id === id);
    if (!entry) return undefined;
    return {
      id,
      name: entry.name,
      created: record.created_at,
      owned_by: "sluice",
      source: { kind: "pipe", record, subModel: entry.subModel },
    };
  }
  const upstream = await services.upstream.findModel(id);
  if (!upstream) return undefined;
  return { id, name: upstream.name, created: 0, owned_by: upstream.owned_by, source: { kind: "upstream", upstream } };
}

function isVisible(user: RequestUser, row: ModelRecord | undefined): boolean {
  if (!row) return true;
  if (!row.is_active) return false;
  return canRead(user, row);
}

/** The model a request names, with its settings; a model the user may not use is "not found". */
export async function resolveModel(services: AppServices, caller: PluginCaller, id: string): Promise<CatalogModel> {
  const row = await findModel(services.db, id);
  const notFound = () => new SluiceError("NOT_FOUND", `Model not found: ${id}`);
  if (!isVisible(caller.scope.user, row)) throw notFound();
  const base = await resolveBase(services, caller, row?.base_model_id ?? id);
  if (!base) {
    // The model may live on an upstream that did not answer: say that, not "not found".
    const unreachable = services.upstream.unreachable;
    if (unreachable.length > 0) {
      const status = (unreachable[0]!.details as { status?: number } | undefined)?.status;
      throw new SluiceError("UPSTREAM_ERROR", `Model "${id}" is not available: ${unreachable.map((error) => error.message).join("; ")}`, {
        details: status === undefined ? undefined : { status },
      });
    }
    throw notFound();
  }
  return { ...base, id, name: row?.name || base.name, row, settings: settingsOf(row) };
}

/** Every model the user can chat with: upstream models, pipe models, and custom models on top of them. */
export async function listCatalog(services: AppServices, caller: PluginCaller): Promise<CatalogModel[]> {
  const user = caller.scope.user;
  const bases: Array<Omit<CatalogModel, "row" | "settings">> = [];
  for (const upstream of await services.upstream.listModels()) {
    bases.push({ id: upstream.id, name: upstream.name, created: 0, owned_by: upstream.owned_by, source: { kind: "upstream", upstream } });
  }
  for (const record of (await listFunctions(services.db)).filter((fn) => fn.type === "pipe" && fn.is_active)) {
    try {
      for (const entry of await pipeModels(caller, record, services.logger)) {
        bases.push({
          id: entry.id,
          name: entry.name,
          created: record.created_at,
          owned_by: "sluice",
          source: { kind: "pipe", record, subModel: entry.subModel },
        });
      }
    } catch (error) {
      services.logger.warn({ pluginId: record.id, err: error }, "pipe models left out of the list");
    }
  }
  const rows = new Map((await listModels(services.db)).map((row) => [row.id, row]));
  const byId = new Map(bases.map((base) => [base.id, base]));
  const catalog: CatalogModel[] = [];
  for (const base of bases) {
    const row = rows.get(base.id);
    if (row?.base_model_id) continue; // a custom model that shadows a base id is listed below
    if (!isVisible(user, row)) continue;
    catalog.push({ ...base, name: row?.name || base.name, row, settings: settingsOf(row) });
  }
  for (const row of rows.values()) {
    if (!row.base_model_id || !isVisible(user, row)) continue;
    const base = byId.get(row.base_model_id);
    if (!base) continue;
    catalog.push({ ...base, id: row.id, name: row.name || base.name, created: row.created_at, row, settings: settingsOf(row) });
  }
  return catalog;
}
