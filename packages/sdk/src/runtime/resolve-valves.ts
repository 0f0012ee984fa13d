import { SluiceError } from "../errors.ts";
import type { ValvesSchema } from "../valves-schema.ts";
import { checkValves } from "./check-valves.ts";

const EMPTY = Object.freeze({});
const MAX_CACHED = 64;

// Stream hooks run per chunk with the same stored values: parse once per distinct value set.
const cache = new WeakMap<ValvesSchema, Map<string, Readonly<Record<string, unknown>>>>();

/**
 * The effective, deeply frozen valves for stored values (defaults applied). A plugin without that
 * schema gets `{}`. Stored values the schema rejects (for example after a code change) throw a
 * `VALVES_INVALID` error naming the fields.
 *
 * @example
 * const valves = resolveValves(plugin.valves, request.context.valves, "valves");
 */
export function resolveValves(
  schema: ValvesSchema | null,
  stored: unknown,
  which: "valves" | "userValves",
): Readonly<Record<string, unknown>> {
  if (!schema) return EMPTY;
  const key = JSON.stringify(stored ?? {});
  let bySchema = cache.get(schema);
  const hit = bySchema?.get(key);
  if (hit) return hit;
  const result = checkValves(schema, stored ?? {}, which);
  if (!result.ok) {
    const label = which === "valves" ? "valves" : "user valves";
    const list = result.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
    throw new SluiceError("VALVES_INVALID", `The stored ${label} are invalid: ${list}`, { details: result.issues });
  }
  const effective = deepFreeze(result.effective);
  if (!bySchema) cache.set(schema, (bySchema = new Map()));
  if (bySchema.size >= MAX_CACHED) bySchema.clear();
  bySchema.set(key, effective);
  return effective;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
