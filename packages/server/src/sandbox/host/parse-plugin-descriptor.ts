import { PLUGIN_KINDS, SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { parsePluginJson } from "./parse-plugin-json.ts";

/**
 * Checks what a plugin's runtime answered to loading it (JSON text, or a value already copied out
 * of the sandbox); anything but a plugin descriptor is a PLUGIN_LOAD_FAILED SluiceError.
 */
export function parsePluginDescriptor(answer: unknown, pluginId: string): PluginDescriptor {
  let value = answer;
  if (typeof answer === "string") {
    try {
      value = parsePluginJson(answer);
    } catch {
      value = undefined;
    }
  }
  if (typeof value === "object" && value !== null && (PLUGIN_KINDS as readonly unknown[]).includes((value as { kind?: unknown }).kind)) {
    return value as PluginDescriptor;
  }
  throw new SluiceError("PLUGIN_LOAD_FAILED", "The plugin runtime returned no valid description of the plugin", { pluginId });
}
