import type { StreamEvent } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import { listFunctions, type FunctionRecord } from "../db/functions-repository.ts";
import { effectivePriority, selectFilters } from "../core/select-filters.ts";
import { openValves } from "../valves/stored-valves.ts";
import type { PluginCaller } from "./plugin-caller.ts";

/** One filter of a request, with the hooks it has. */
export interface RequestFilter {
  record: FunctionRecord;
  hooks: ReadonlySet<string>;
}

/**
 * The filters of one request, in order (reference §6.2): active global filters and the model's
 * `filterIds`; toggle filters only when in the request's `filter_ids`; by priority, then id.
 * A filter that fails to load is left out (and deactivated, with its error shown to admins).
 */
export async function resolveFilters(services: AppServices, caller: PluginCaller, modelFilterIds: readonly string[], enabledFilterIds: readonly string[]): Promise<RequestFilter[]> {
  const records = (await listFunctions(services.db)).filter((record) => record.type === "filter" && record.is_active);
  const attached = new Set(modelFilterIds);
  const candidates = [];
  const loadedById = new Map<string, { record: FunctionRecord; hooks: Set<string> }>();
  for (const record of records) {
    if (!record.is_global && !attached.has(record.id)) continue;
    try {
      const loaded = await caller.plugin("function", record);
      loadedById.set(record.id, { record, hooks: new Set(loaded.descriptor.hooks) });
      candidates.push({
        id: record.id,
        isActive: true,
        isGlobal: record.is_global,
        isToggle: loaded.descriptor.toggle,
        priority: effectivePriority(openValves(record.valves, services.secrets), loaded.descriptor.valvesSchema),
      });
    } catch (error) {
      services.logger.warn({ pluginId: record.id, err: error }, "filter left out: it does not load");
    }
  }
  return selectFilters(candidates, modelFilterIds, enabledFilterIds).map((candidate) => loadedById.get(candidate.id)!);
}

/**
 * Runs `inlet` or `outlet` through the chain: each filter's return value replaces the body
 * (`undefined` means unchanged, handled by the runtime). A throw aborts with that error.
 */
export async function runBodyChain<Body>(caller: PluginCaller, filters: readonly RequestFilter[], hook: "inlet" | "outlet", body: Body): Promise<Body> {
  let current = body;
  for (const filter of filters) {
    if (!filter.hooks.has(hook)) continue;
    current = (await caller.invoke("function", filter.record, hook, current)) as Body;
  }
  return current;
}

/**
 * Applies every `stream` hook to one chunk: the returned value replaces the chunk and `null`
 * drops it. A hook that throws drops that chunk (logged); the answer goes on.
 */
export async function runStreamChain(services: AppServices, caller: PluginCaller, filters: readonly RequestFilter[], chunk: StreamEvent): Promise<StreamEvent | null> {
  let current: StreamEvent | null = chunk;
  for (const filter of filters) {
    if (!filter.hooks.has("stream") || current === null) continue;
    try {
      current = (await caller.invoke("function", filter.record, "stream", current)) as StreamEvent | null;
    } catch (error) {
      services.logger.warn({ pluginId: filter.record.id, hook: "stream", err: error }, "stream hook failed; chunk dropped");
      return null;
    }
  }
  return current;
}
