import type { PluginNamespace } from "../core/ports.ts";
import type { ValveValues } from "../valves/stored-valves.ts";

/** Where Open WebUI keeps user valves: `settings.functions.valves[id]` / `settings.tools.valves[id]`. */
export function settingsKey(namespace: PluginNamespace): "functions" | "tools" {
  return namespace === "function" ? "functions" : "tools";
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A user's stored (sealed) values for one plugin. */
export function storedUserValves(settings: Record<string, unknown>, namespace: PluginNamespace, pluginId: string): ValveValues {
  return asRecord(asRecord(asRecord(settings[settingsKey(namespace)]).valves)[pluginId]);
}
