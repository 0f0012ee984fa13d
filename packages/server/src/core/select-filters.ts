/** What filter selection needs to know of one stored filter. */
export interface FilterCandidate {
  id: string;
  isActive: boolean;
  isGlobal: boolean;
  /** The filter declares `toggle: true`: it runs only when the user switched it on. */
  isToggle: boolean;
  /** The effective `priority` valve (stored value, else the schema default, else 0). */
  priority: number;
}

/**
 * The filters of one request, in the order they run: active global filters
 * together with the model's `filterIds`, active ones only; toggle filters only when listed in the
 * request's `filter_ids`; sorted by priority, then id.
 */
export function selectFilters(
  candidates: readonly FilterCandidate[],
  modelFilterIds: readonly string[],
  enabledFilterIds: readonly string[],
): FilterCandidate[] {
  const attached = new Set(modelFilterIds);
  const enabled = new Set(enabledFilterIds);
  return candidates
    .filter((filter) => filter.isActive && (filter.isGlobal || attached.has(filter.id)))
    .filter((filter) => !filter.isToggle || enabled.has(filter.id))
    .sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The `priority` a filter runs with: the stored valve, else the schema's default, else 0. */
export function effectivePriority(storedValves: Record<string, unknown>, valvesSchema: object | null): number {
  const stored = storedValves.priority;
  if (typeof stored === "number" && Number.isFinite(stored)) return stored;
  const properties = (valvesSchema as { properties?: Record<string, { default?: unknown }> } | null)?.properties;
  const fallback = properties?.priority?.default;
  return typeof fallback === "number" && Number.isFinite(fallback) ? fallback : 0;
}
