import type { ValvesSchema } from "../valves-schema.ts";
import { describeValue, isPlainObject, messageOf } from "./describe-value.ts";
import type { ValvesResult } from "./types.ts";

/**
 * Validates valve values against a schema with Open WebUI's storage rules: `null` means "use the
 * default" and is dropped, unknown keys are dropped, defaults fill the rest. `stored` holds only
 * the provided keys (parsed), `effective` the full object.
 *
 * @example
 * checkValves(z.object({ n: z.number().default(1) }), { n: null, extra: 2 }, "valves");
 * // { ok: true, stored: {}, effective: { n: 1 } }
 */
export function checkValves(schema: ValvesSchema | null, values: unknown, which: "valves" | "userValves"): ValvesResult {
  if (!schema) return failure("", which === "valves" ? "This plugin has no valves" : "This plugin has no user valves");
  if (!isPlainObject(values)) return failure("", `Valves must be an object, got ${describeValue(values)}`);
  const shape = schema.shape as Record<string, unknown>;
  const provided: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && value !== undefined && Object.hasOwn(shape, key)) provided[key] = value;
  }
  let parsed: ReturnType<ValvesSchema["safeParse"]>;
  try {
    parsed = schema.safeParse(provided);
  } catch (error) {
    return failure("", `The valves schema could not run: ${messageOf(error)}`);
  }
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
    };
  }
  const effective = parsed.data as Record<string, unknown>;
  const stored: Record<string, unknown> = {};
  for (const key of Object.keys(provided)) {
    if (Object.hasOwn(effective, key)) stored[key] = effective[key];
  }
  return { ok: true, stored, effective };
}

function failure(path: string, message: string): ValvesResult {
  return { ok: false, issues: [{ path, message }] };
}
