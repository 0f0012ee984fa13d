import type { ValvesSchema } from "../valves-schema.ts";

/**
 * True for a zod object schema (`z.object`, `z.strictObject`, `z.looseObject`), from any copy of
 * zod 4: checked by shape, not by `instanceof`.
 *
 * @example
 * isObjectSchema(z.object({})); // true
 * isObjectSchema(z.string()); // false
 */
export function isObjectSchema(value: unknown): value is ValvesSchema {
  const internals = (value as { _zod?: { def?: { type?: unknown } } } | null)?._zod;
  return (
    typeof value === "object" &&
    value !== null &&
    internals?.def?.type === "object" &&
    typeof (value as ValvesSchema).safeParse === "function"
  );
}
