import { z } from "zod";

/** `meta` of a function or tool row: Open WebUI's shape, extra keys kept. */
export const pluginMetaSchema = z
  .object({
    description: z.string().default(""),
    manifest: z.record(z.string(), z.string()).default({}),
    toggle: z.boolean().optional(),
    icon: z.string().nullable().optional(),
    has_user_valves: z.boolean().optional(),
  })
  .catchall(z.unknown());

export type PluginMeta = z.output<typeof pluginMetaSchema>;

const valveValuesSchema = z.record(z.string(), z.unknown());

/** Parses a JSON text column, falling back when the stored text is not of the expected shape. */
export function parseJsonColumn<Schema extends z.ZodType>(schema: Schema, text: string | null, fallback: z.output<Schema>): z.output<Schema> {
  if (text === null || text === "") return fallback;
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : fallback;
  } catch {
    return fallback;
  }
}

export function parseMeta(text: string): PluginMeta {
  return parseJsonColumn(pluginMetaSchema, text, pluginMetaSchema.parse({}));
}

export function parseValveValues(text: string | null): Record<string, unknown> {
  return parseJsonColumn(valveValuesSchema, text, {});
}

/** Epoch seconds, as Open WebUI stores times. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
