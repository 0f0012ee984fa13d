import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { findUserById, updateUserSettings } from "../db/users-repository.ts";
import { asRecord, settingsKey, storedUserValves } from "./stored-user-valves.ts";
import { presentValves, prepareValvesUpdate, type ValvesHost } from "./plugin-valves.ts";
import type { PluginNamespace } from "./plugin-workspace.ts";
import type { ValveValues } from "../valves/stored-valves.ts";

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
