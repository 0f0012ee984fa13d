import type { PluginSession } from "./ports.ts";
import type { RequestFilter } from "./resolve-filters.ts";

/**
 * Runs `inlet`, `request` or `outlet` through the chain, as a reduce: each filter's return value
 * replaces the body (`undefined` means unchanged, handled by the runtime). A throw aborts with that error.
 */
export async function runBodyChain<Body>(
  session: PluginSession,
  filters: readonly RequestFilter[],
  hook: "inlet" | "request" | "outlet",
  body: Body,
): Promise<Body> {
  let current = body;
  for (const filter of filters) {
    if (!filter.hooks.has(hook)) continue;
    current = (await session.invoke("function", filter.record, hook, current)) as Body;
  }
  return current;
}
