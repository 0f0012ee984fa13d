import type { FilterOrderEntry } from "@sluice/sdk/wire";
import { api } from "../../api/api-client.ts";

export type { FilterOrderEntry };

/** The plugin lists a model row's `meta` holds (docs/api.md, Models). */
export interface ModelPluginIds {
  filterIds: string[];
  defaultFilterIds: string[];
  actionIds: string[];
  toolIds: string[];
}

export interface ModelRow {
  id: string;
  user_id: string;
  base_model_id: string | null;
  name: string;
  meta: Partial<ModelPluginIds> & { description?: string | null; [key: string]: unknown };
  params: Record<string, unknown>;
  access_control: unknown;
  is_active: boolean;
  write_access?: boolean;
}

/** An entry of `GET /api/models`: upstream, pipe and custom models. */
export interface CatalogModel {
  id: string;
  name: string;
  owned_by: string;
  pipe?: { type: "pipe" };
  info?: ModelRow;
}

export const PLUGIN_ID_KEYS: (keyof ModelPluginIds)[] = ["filterIds", "defaultFilterIds", "actionIds", "toolIds"];

/** The plugin ids attached to a model row (empty lists when it has none or no row). */
export function pluginIdsOf(row: Pick<ModelRow, "meta"> | undefined): ModelPluginIds {
  const read = (key: keyof ModelPluginIds) => (Array.isArray(row?.meta?.[key]) ? [...(row!.meta[key] as string[])] : []);
  return {
    filterIds: read("filterIds"),
    defaultFilterIds: read("defaultFilterIds"),
    actionIds: read("actionIds"),
    toolIds: read("toolIds"),
  };
}

/**
 * Stores entries of a model's `meta` (its plugins, its capabilities): updates its row (keeping
 * the rest of `meta`), or creates the settings row (same id as the upstream or pipe model) when
 * there is none yet.
 */
export async function saveModelMeta(
  model: Pick<CatalogModel, "id" | "name">,
  row: ModelRow | undefined,
  change: Partial<ModelRow["meta"]>,
): Promise<ModelRow> {
  if (row) {
    return api.post<ModelRow>(`/api/v1/models/model/update?id=${encodeURIComponent(model.id)}`, { meta: { ...row.meta, ...change } });
  }
  return api.post<ModelRow>("/api/v1/models/create", { id: model.id, name: model.name, meta: change });
}

/** Stores who may use a model (`access_control`), creating its settings row when there is none yet. */
export async function saveModelAccess(
  model: Pick<CatalogModel, "id" | "name">,
  row: ModelRow | undefined,
  accessControl: unknown,
): Promise<ModelRow> {
  if (row) return api.post<ModelRow>(`/api/v1/models/model/update?id=${encodeURIComponent(model.id)}`, { access_control: accessControl });
  return api.post<ModelRow>("/api/v1/models/create", { id: model.id, name: model.name, meta: {}, access_control: accessControl });
}

export const modelApi = {
  catalog: async () => (await api.get<{ data: CatalogModel[] }>("/api/models")).data,
  rows: () => api.get<ModelRow[]>("/api/v1/models/"),
  /** The filters that run for a model, in the order the server runs them. */
  filterOrder: async (id: string) =>
    (await api.get<{ filters: FilterOrderEntry[] }>(`/api/v1/models/model/filters?id=${encodeURIComponent(id)}`)).filters,
};
