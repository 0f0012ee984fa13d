import { SluiceError } from "@sluice/sdk";
import { canRead } from "./access-control.ts";
import type { FunctionRecord, ModelRecord } from "./records.ts";
import type { GatewayModel, ModelGateway, ModelStore, PluginSession, PluginStore, TurnLog, TurnUser } from "./ports.ts";
import { pipeModels } from "./pipe-models.ts";

/** The plugin settings of a model, from its model row's `meta`. */
export interface ModelPluginSettings {
  filterIds: string[];
  defaultFilterIds: string[];
  actionIds: string[];
  toolIds: string[];
}

export type ModelSource = { kind: "upstream"; upstream: GatewayModel } | { kind: "pipe"; record: FunctionRecord; subModel?: string };

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

export type BaseModel = Omit<CatalogModel, "row" | "settings">;

/** What resolving and listing models reads. */
export type ModelPorts = { pluginStore: PluginStore; models: ModelStore; gateway: ModelGateway; log: TurnLog };

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

export function settingsOf(row: ModelRecord | undefined): ModelPluginSettings {
  const meta = (row?.meta ?? {}) as Record<string, unknown>;
  return {
    filterIds: stringList(meta.filterIds),
    defaultFilterIds: stringList(meta.defaultFilterIds),
    actionIds: stringList(meta.actionIds),
    toolIds: stringList(meta.toolIds),
  };
}

/** A model row hides its model when switched off or not readable by the user. */
export function isVisible(user: TurnUser, row: ModelRecord | undefined): boolean {
  if (!row) return true;
  if (!row.is_active) return false;
  return canRead(user, row);
}

export function upstreamBase(upstream: GatewayModel): BaseModel {
  return { id: upstream.id, name: upstream.name, created: 0, owned_by: upstream.owned_by, source: { kind: "upstream", upstream } };
}

export function pipeBase(record: FunctionRecord, entry: { id: string; name: string; subModel?: string }): BaseModel {
  return {
    id: entry.id,
    name: entry.name,
    created: record.created_at,
    owned_by: "sluice",
    source: { kind: "pipe", record, subModel: entry.subModel },
  };
}

async function resolveBase(ports: ModelPorts, session: PluginSession, id: string): Promise<BaseModel | undefined> {
  // `<plugin id>.<entry id>`, split at the first dot: entry ids are model ids and have dots of their own.
  const functionId = id.split(".")[0]!;
  const record = await ports.pluginStore.findFunction(functionId);
  if (record && record.type === "pipe" && record.is_active) {
    const entry = (await pipeModels(session, record, ports.log)).find((model) => model.id === id);
    return entry ? pipeBase(record, entry) : undefined;
  }
  const upstream = await ports.gateway.findModel(id);
  return upstream ? upstreamBase(upstream) : undefined;
}

/**
 * The model a request names, with its settings; a model the user may not use is "not found"
 * (`unavailable` makes that error: a model a plugin chose is refused with FORBIDDEN instead, see
 * `routeAfterInlet`), so a hidden model looks the same as a missing one.
 */
export async function resolveModel(
  ports: ModelPorts,
  session: PluginSession,
  user: TurnUser,
  id: string,
  unavailable: (id: string) => SluiceError = (missing) => new SluiceError("NOT_FOUND", `Model not found: ${missing}`),
): Promise<CatalogModel> {
  const row = await ports.models.findModel(id);
  const notFound = () => unavailable(id);
  if (!isVisible(user, row)) throw notFound();
  const base = await resolveBase(ports, session, row?.base_model_id ?? id);
  if (!base) {
    // The model may live on an upstream that did not answer: say that, not "not found".
    const unreachable = ports.gateway.unreachable;
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
