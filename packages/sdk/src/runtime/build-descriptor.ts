import { findSecretFields } from "./find-secret-fields.ts";
import type { NormalizedPlugin } from "./normalize-plugin.ts";
import { toJsonSchema } from "./to-json-schema.ts";
import type { HookName, PluginDescriptor } from "./types.ts";

/**
 * The plain-JSON {@link PluginDescriptor} of a normalised plugin.
 *
 * @example
 * const descriptor = buildDescriptor(findPlugin(module.exports));
 */
export function buildDescriptor(plugin: NormalizedPlugin): PluginDescriptor {
  const valvesSchema = plugin.valves ? toJsonSchema(plugin.valves, '"valves"') : null;
  const userValvesSchema = plugin.userValves ? toJsonSchema(plugin.userValves, '"userValves"') : null;
  const hooks: HookName[] = [];
  for (const name of ["inlet", "request", "stream", "outlet", "pipe"] as const) if (plugin.hooks[name]) hooks.push(name);
  if (plugin.pipes) hooks.push("pipes");
  if (plugin.hooks.action) hooks.push("action");
  if (plugin.tools.size > 0) hooks.push("tool");
  if (plugin.events.length > 0) hooks.push("event");
  return {
    kind: plugin.kind,
    valvesSchema,
    userValvesSchema,
    secretFields: findSecretFields(valvesSchema),
    userSecretFields: findSecretFields(userValvesSchema),
    pipes: Array.isArray(plugin.pipes) ? plugin.pipes.map((entry) => ({ ...entry })) : null,
    hasDynamicPipes: typeof plugin.pipes === "function",
    actions: plugin.actions ? plugin.actions.map((entry) => ({ ...entry })) : null,
    toggle: plugin.toggle,
    fileHandler: plugin.fileHandler,
    ...(plugin.streamTextOnly ? { streamTextOnly: true } : {}),
    icon: plugin.icon,
    tools: [...plugin.tools.values()].map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: toJsonSchema(tool.parameters, `the parameters of tool "${tool.name}"`),
    })),
    hooks,
    events: plugin.events.map((entry) => entry.pattern),
  };
}
