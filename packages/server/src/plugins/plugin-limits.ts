import { z } from "zod";

/**
 * An admin's per-plugin override of the sandbox limits, stored in the row as `meta.limits`:
 * the time a hook call may take (ms), the time per stream chunk (ms), the isolate's heap (MB).
 * Unset fields use the server's `PLUGIN_TIMEOUT_MS`, `PLUGIN_STREAM_TIMEOUT_MS`, `PLUGIN_MEMORY_MB`.
 *
 * @example
 * pluginLimitsSchema.parse({ timeoutMs: 20000, memoryMb: 256 });
 */
export const pluginLimitsSchema = z.strictObject({
  timeoutMs: z.number().int().min(10).max(600_000).optional(),
  streamTimeoutMs: z.number().int().min(1).max(60_000).optional(),
  memoryMb: z.number().int().min(8).max(4096).optional(),
});

export type PluginLimits = z.output<typeof pluginLimitsSchema>;

/** The valid override stored in a row's `meta` (`meta.limits`); `{}` when absent or malformed. */
export function storedLimits(meta: Record<string, unknown> | null | undefined): PluginLimits {
  const parsed = pluginLimitsSchema.safeParse(meta?.limits ?? {});
  return parsed.success ? parsed.data : {};
}

/** A stable text form of an override, for cache keys. */
export function limitsKey(limits: PluginLimits): string {
  return [limits.timeoutMs ?? "", limits.streamTimeoutMs ?? "", limits.memoryMb ?? ""].join("/");
}
