import type { FunctionRecord } from "./records.ts";
import type { PluginSession, PluginStore } from "./ports.ts";
import type { CatalogModel } from "./resolve-model.ts";
import { effectivePriority } from "./select-filters.ts";

export interface ModelAction {
  id: string;
  name: string;
  description: string;
  icon: string | null;
}

export interface ModelFilter {
  id: string;
  name: string;
  description: string;
  icon: string | null;
  has_user_valves: boolean;
}

interface Prepared<T> {
  record: FunctionRecord;
  priority: number;
  entries: T[];
}

/**
 * What `/api/models` shows of plugins per model: action buttons (global active
 * actions ∪ the model's `actionIds`, one per `actions` entry) and toggleable filters (global ∪ the
 * model's `filterIds`, only those with `toggle`). Plugins are loaded once for the whole list.
 */
export async function modelPluginLister(
  pluginStore: PluginStore,
  session: PluginSession,
): Promise<(model: CatalogModel) => { actions: ModelAction[]; filters: ModelFilter[] }> {
  const active = (await pluginStore.listFunctions()).filter((record) => record.is_active);
  const actions: Prepared<ModelAction>[] = [];
  const filters: Prepared<ModelFilter>[] = [];
  for (const record of active) {
    if (record.type !== "action" && record.type !== "filter") continue;
    let descriptor;
    try {
      descriptor = await session.describe("function", record);
    } catch {
      continue;
    }
    const priority = effectivePriority(session.valves(record), descriptor.valvesSchema);
    const description = record.meta.description ?? "";
    const icon = (record.meta.icon as string | undefined) ?? descriptor.icon ?? null;
    if (record.type === "action") {
      const entries = descriptor.actions
        ? descriptor.actions.map((entry) => ({
            id: `${record.id}.${entry.id}`,
            name: entry.name || `${record.name} (${entry.id})`,
            description,
            icon: entry.icon_url ?? icon,
          }))
        : [{ id: record.id, name: record.name, description, icon }];
      actions.push({ record, priority, entries });
    } else if (descriptor.toggle) {
      filters.push({
        record,
        priority,
        entries: [{ id: record.id, name: record.name, description, icon, has_user_valves: descriptor.userValvesSchema !== null }],
      });
    }
  }
  const byPriority = <T>(list: Prepared<T>[]) => [...list].sort((a, b) => a.priority - b.priority || (a.record.id < b.record.id ? -1 : 1));
  const pick = <T>(list: Prepared<T>[], attachedIds: string[]) => {
    const attached = new Set(attachedIds);
    return byPriority(list.filter((item) => item.record.is_global || attached.has(item.record.id))).flatMap((item) => item.entries);
  };
  return (model) => ({ actions: pick(actions, model.settings.actionIds), filters: pick(filters, model.settings.filterIds) });
}
