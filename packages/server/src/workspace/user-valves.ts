import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { findUserById, updateUserSettings, type UserSettings } from "../db/users-repository.ts";
import { presentValves, prepareValvesUpdate, type ValvesHost } from "./plugin-valves.ts";
import type { PluginNamespace } from "./plugin-workspace.ts";
import type { ValveValues } from "../valves/stored-valves.ts";

/** Where Open WebUI keeps user valves: `settings.functions.valves[id]` / `settings.tools.valves[id]`. */
function settingsKey(namespace: PluginNamespace): "functions" | "tools" {
  return namespace === "function" ? "functions" : "tools";
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A user's stored (sealed) values for one plugin. */
export function storedUserValves(settings: UserSettings, namespace: PluginNamespace, pluginId: string): ValveValues {
  return asRecord(asRecord(asRecord(settings[settingsKey(namespace)]).valves)[pluginId]);
}

/** `GET …/valves/user`: the caller's own values; secrets masked unless the caller is an admin. */
export async function readUserValves(
  services: AppServices,
  namespace: PluginNamespace,
  pluginId: string,
  user: RequestUser,
  plugin: ValvesHost,
): Promise<ValveValues> {
  const row = await findUserById(services.db, user.id);
  const stored = storedUserValves(row?.settings ?? {}, namespace, pluginId);
  return presentValves(plugin, "userValves", stored, services.secrets, user.role === "admin");
}

/** `POST …/valves/user/update`: validated with the plugin's user valves schema, only set keys kept. */
export async function writeUserValves(
  services: AppServices,
  namespace: PluginNamespace,
  pluginId: string,
  user: RequestUser,
  plugin: ValvesHost,
  incoming: unknown,
): Promise<ValveValues> {
  const row = await findUserById(services.db, user.id);
  const update = await prepareValvesUpdate(
    plugin,
    "userValves",
    incoming,
    storedUserValves(row?.settings ?? {}, namespace, pluginId),
    services.secrets,
  );
  await updateUserSettings(services.db, user.id, (settings) => {
    const key = settingsKey(namespace);
    const section = asRecord(settings[key]);
    return { ...settings, [key]: { ...section, valves: { ...asRecord(section.valves), [pluginId]: update.sealed } } };
  });
  return presentValves(plugin, "userValves", update.sealed, services.secrets, user.role === "admin");
}
