import { z } from "zod";
import { messageOf } from "./describe-value.ts";

/**
 * The JSON Schema of a zod schema as forms and models read it: the input side (`io: "input"`, so
 * fields with defaults are optional), `.describe()` as `description`, `.meta()` kept (for example
 * `input: { type: "password" }`), without the `$schema` key and without the ±2^53 bounds zod puts on
 * every `.int()` (noise in forms and in the model's context). `label` names the schema in the error
 * thrown for types JSON Schema cannot express (such as `z.date()`).
 *
 * @example
 * toJsonSchema(z.object({ q: z.string().describe("Query") }), "parameters");
 * // { type: "object", properties: { q: { type: "string", description: "Query" } }, required: ["q"] }
 */
export function toJsonSchema(schema: z.ZodType, label: string): Record<string, unknown> {
  let jsonSchema: Record<string, unknown>;
  try {
    jsonSchema = z.toJSONSchema(schema, { io: "input", override: dropSafeIntegerBounds }) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Malformed plugin: ${label} cannot be described as JSON Schema (${messageOf(error)}); use JSON-friendly zod types`);
  }
  delete jsonSchema.$schema;
  return jsonSchema;
}

function dropSafeIntegerBounds({ jsonSchema }: { jsonSchema: Record<string, unknown> }): void {
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
}
