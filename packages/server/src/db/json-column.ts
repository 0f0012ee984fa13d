import type { z } from "zod";

/**
 * Parses a JSON text column with a zod schema. A row that holds malformed or unexpected JSON
 * (hand-edited, written by an older version) yields `fallback` instead of breaking the caller.
 */
export function parseJsonColumn<Schema extends z.ZodType>(
  schema: Schema,
  text: string | null | undefined,
  fallback: z.output<Schema>,
): z.output<Schema> {
  if (text === null || text === undefined || text === "") return fallback;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fallback;
  }
  const result = schema.safeParse(value);
  return result.success ? result.data : fallback;
}
