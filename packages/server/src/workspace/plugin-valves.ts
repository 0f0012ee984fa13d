import { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor, ValvesResult } from "@sluice/sdk/runtime";
import type { Logger } from "pino";
import type { ValvesReader } from "../sandbox/plugin-runner.ts";
import type { SecretBox } from "../valves/secret-box.ts";
import { maskValves, openValves, restoreMaskedSecrets, sealValves, type ValveValues } from "../valves/stored-valves.ts";

export type ValvesKind = "valves" | "userValves";

/** The part of a loaded plugin that valves need: its schemas and a validator running its zod code. */
export interface ValvesHost {
  descriptor: PluginDescriptor;
  sandbox: {
    validateValves(which: ValvesKind, values: unknown): ValvesResult | Promise<ValvesResult>;
    valvesSpec?(which: ValvesKind, reader: ValvesReader): Promise<object | null>;
  };
}

function secretFieldsOf(descriptor: PluginDescriptor, which: ValvesKind): string[] {
  return which === "valves" ? descriptor.secretFields : descriptor.userSecretFields;
}

/** The JSON Schema of a plugin's valves form as it loaded; null when the plugin has none. */
export function valvesSpec(plugin: ValvesHost, which: ValvesKind): object | null {
  return which === "valves" ? plugin.descriptor.valvesSchema : plugin.descriptor.userValvesSchema;
}

/** The reader of a valves form as an options method gets them: id, name, email and role. */
export function readerOf(user: ValvesReader): ValvesReader {
  return { id: user.id, name: user.name, email: user.email, role: user.role };
}

/**
 * The JSON Schema served at `…/valves/spec` (or `…/valves/user/spec`) to `reader`: a plugin that
 * lists select options per reader (an Open WebUI options method) is asked; when that fails, the
 * form is the one it loaded with (logged). Null when the plugin has no such valves.
 */
export async function valvesSpecFor(
  plugin: ValvesHost,
  which: ValvesKind,
  reader: ValvesReader,
  log: Pick<Logger, "warn">,
): Promise<object | null> {
  const loaded = valvesSpec(plugin, which);
  if (loaded === null || !plugin.sandbox.valvesSpec) return loaded;
  try {
    return (await plugin.sandbox.valvesSpec(which, reader)) ?? loaded;
  } catch (error) {
    log.warn({ err: error, which }, "listing the valve options for the form failed; it shows those listed at load");
    return loaded;
  }
}

/** Stored values as a caller may see them: decrypted, and secrets masked unless the caller is an admin. */
export function presentValves(
  plugin: ValvesHost | undefined,
  which: ValvesKind,
  stored: ValveValues,
  box: SecretBox,
  isAdmin: boolean,
): ValveValues {
  const opened = openValves(stored, box);
  if (isAdmin) return opened;
  const secretFields = plugin ? secretFieldsOf(plugin.descriptor, which) : [];
  return maskValves(opened, secretFields);
}

export interface ValvesUpdate {
  /** What to store: only the keys that were set, secrets sealed. */
  sealed: ValveValues;
  /** The same values decrypted, for the response. */
  opened: ValveValues;
}

/**
 * Validates a valves update with the plugin's own schema (in its sandbox). Nulls mean "use the
 * default" and are dropped; a mask sent back for a secret keeps the stored secret. Invalid input
 * is a VALVES_INVALID error naming each field; nothing is stored then.
 */
export async function prepareValvesUpdate(
  plugin: ValvesHost,
  which: ValvesKind,
  incoming: unknown,
  currentStored: ValveValues,
  box: SecretBox,
): Promise<ValvesUpdate> {
  if (valvesSpec(plugin, which) === null) {
    throw new SluiceError("INVALID_INPUT", which === "valves" ? "This plugin has no valves" : "This plugin has no user valves");
  }
  if (typeof incoming !== "object" || incoming === null || Array.isArray(incoming)) {
    throw new SluiceError("VALVES_INVALID", "Valves must be a JSON object of field names to values");
  }
  const secretFields = secretFieldsOf(plugin.descriptor, which);
  const values = restoreMaskedSecrets(incoming as ValveValues, openValves(currentStored, box), secretFields);
  const result = await plugin.sandbox.validateValves(which, values);
  if (!result.ok) {
    const text = result.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
    throw new SluiceError("VALVES_INVALID", `Invalid valves: ${text}`, { details: result.issues });
  }
  return { sealed: sealValves(result.stored, secretFields, box), opened: result.stored };
}
