import { SluiceError } from "@sluice/sdk";
import type { FunctionRecord } from "./records.ts";
import type { PluginSession, PluginPort, PluginStore, TurnLog } from "./ports.ts";
import { effectivePriority, selectFilters, type FilterCandidate } from "./select-filters.ts";

/** One filter of a request, with the hooks it has. */
export interface RequestFilter {
  record: FunctionRecord;
  hooks: ReadonlySet<string>;
  /** It declares `fileHandler: true`: it puts the request's attached files in itself. */
  isFileHandler?: boolean;
}

/**
 * The filters of one request, in order: active global filters and the model's `filterIds`;
 * toggle filters only when in the request's `filter_ids`; by priority (the `priority` valve),
 * then id. A filter that fails to load is left out (the registry deactivates it and shows its
 * error to admins); one that cannot load on this instance only fails the request (UNAVAILABLE):
 * a redacting filter must never be skipped.
 */
export async function resolveFilters(
  ports: FilterPorts,
  session: PluginSession,
  modelFilterIds: readonly string[],
  enabledFilterIds: readonly string[],
): Promise<RequestFilter[]> {
  const { candidates, loadedById } = await loadFilterCandidates(ports, session, modelFilterIds);
  return selectFilters(candidates, modelFilterIds, enabledFilterIds).map((candidate) => loadedById.get(candidate.id)!);
}

/** One filter of a model's chain, as the workspace shows it. */
export interface FilterOrderEntry {
  id: string;
  name: string;
  priority: number;
  is_global: boolean;
  /** Runs only when the user switches it on in the chat (`filter_ids`). */
  is_toggle: boolean;
}

/**
 * The filters that run for a model, in the order {@link resolveFilters} runs them: toggle filters
 * are listed where they run when a user switches them on. The same selection, not a copy of it.
 */
export async function filterOrder(
  ports: FilterPorts,
  session: PluginSession,
  modelFilterIds: readonly string[],
): Promise<FilterOrderEntry[]> {
  const { candidates, loadedById } = await loadFilterCandidates(ports, session, modelFilterIds);
  const allIds = candidates.map((candidate) => candidate.id);
  return selectFilters(candidates, modelFilterIds, allIds).map((candidate) => ({
    id: candidate.id,
    name: loadedById.get(candidate.id)!.record.name,
    priority: candidate.priority,
    is_global: candidate.isGlobal,
    is_toggle: candidate.isToggle,
  }));
}

type FilterPorts = { pluginStore: PluginStore; plugins: Pick<PluginPort, "isLocalLoadFailure">; log: TurnLog };

async function loadFilterCandidates(ports: FilterPorts, session: PluginSession, modelFilterIds: readonly string[]) {
  const records = (await ports.pluginStore.listFunctions()).filter((record) => record.type === "filter" && record.is_active);
  const attached = new Set(modelFilterIds);
  const candidates: FilterCandidate[] = [];
  const loadedById = new Map<string, RequestFilter>();
  for (const record of records) {
    if (!record.is_global && !attached.has(record.id)) continue;
    try {
      const descriptor = await session.describe("function", record);
      loadedById.set(record.id, { record, hooks: new Set(descriptor.hooks), isFileHandler: descriptor.fileHandler === true });
      candidates.push({
        id: record.id,
        isActive: true,
        isGlobal: record.is_global,
        isToggle: descriptor.toggle,
        priority: effectivePriority(session.valves(record), descriptor.valvesSchema),
      });
    } catch (error) {
      if (ports.plugins.isLocalLoadFailure(error)) {
        throw new SluiceError("UNAVAILABLE", `Filter "${record.id}" cannot run on this server instance: ${(error as Error).message}`, {
          pluginId: record.id,
          cause: error,
        });
      }
      ports.log.warn({ pluginId: record.id, err: error }, "filter left out: it does not load");
    }
  }
  return { candidates, loadedById };
}
