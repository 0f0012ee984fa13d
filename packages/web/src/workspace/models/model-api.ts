import { api } from "../../api/api-client.ts";

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
 * Stores the plugins attached to a model: updates its row (keeping the rest of `meta`), or
 * creates the settings row (same id as the upstream or pipe model) when there is none yet.
 */
export async function saveModelPlugins(
  model: Pick<CatalogModel, "id" | "name">,
  row: ModelRow | undefined,
  ids: ModelPluginIds,
): Promise<ModelRow> {
  if (row) {
    return api.post<ModelRow>(`/api/v1/models/model/update?id=${encodeURIComponent(model.id)}`, { meta: { ...row.meta, ...ids } });
  }
  return api.post<ModelRow>("/api/v1/models/create", { id: model.id, name: model.name, meta: ids });
}

export const modelApi = {
  catalog: async () => (await api.get<{ data: CatalogModel[] }>("/api/models")).data,
  rows: () => api.get<ModelRow[]>("/api/v1/models/"),
};
