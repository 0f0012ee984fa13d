import type { PluginSession } from "./ports.ts";
import type { RequestFilter } from "./resolve-filters.ts";

/**
 * Runs `inlet`, `request` or `outlet` through the chain, as a reduce: each filter's return value
 * replaces the body (`undefined` means unchanged, handled by the runtime). A throw aborts with that error.
 * The body's JSON text is made once and handed on while filters hand the body back unchanged.
 */
export async function runBodyChain<Body>(
  session: PluginSession,
  filters: readonly RequestFilter[],
  hook: "inlet" | "request" | "outlet",
  body: Body,
): Promise<Body> {
  let current = body;
  let text: string | undefined;
  for (const filter of filters) {
    if (!filter.hooks.has(hook)) continue;
    text ??= jsonOf(current);
    const next = (await session.invoke("function", filter.record, hook, current, text === undefined ? {} : { payloadText: text })) as Body;
    if (next !== current) text = undefined;
    current = next;
  }
  return current;
}

/** The body as JSON text; undefined when it has none (the plugin call then says what is wrong). */
function jsonOf(body: unknown): string | undefined {
  try {
    return JSON.stringify(body);
  } catch {
    return undefined;
  }
}
