import { z } from "zod";
import { parseJsonColumn } from "./json-column.ts";

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

export function parseMeta(text: string): PluginMeta {
  return parseJsonColumn(pluginMetaSchema, text, pluginMetaSchema.parse({}));
}

export function parseValveValues(text: string | null): Record<string, unknown> {
  return parseJsonColumn(valveValuesSchema, text, {});
}
