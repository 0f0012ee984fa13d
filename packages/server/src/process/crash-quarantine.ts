import type { Kysely } from "kysely";
import { updateFunction } from "../db/functions-repository.ts";
import type { Database } from "../db/schema.ts";
import { updateTool } from "../db/tools-repository.ts";

/** How a plugin switched off for crashing the server reads in its row's `load_error`. */
export const CRASH_MARK = "Switched off after it crashed the server";

/** True when a row's `load_error` says the plugin crashed the server (see {@link quarantinePlugin}). */
export function isQuarantined(loadError: string | null): boolean {
  return loadError !== null && loadError.startsWith(CRASH_MARK);
}

/**
 * Records that plugin `pluginId` made isolated-vm lose control of its isolate (an out-of-memory
 * inside a built-in, or a built-in that kept running past its time limit): the function is
 * switched off and the function's or tool's `load_error` says why, so the restarted server does not
 * run it again until an admin saves a new version (a save clears `load_error`).
 */
export async function quarantinePlugin(db: Kysely<Database>, pluginId: string, reason: string): Promise<void> {
  const loadError = `${CRASH_MARK}: ${reason}. Save a fixed version to use it again.`;
  await updateFunction(db, pluginId, { is_active: false, load_error: loadError });
  await updateTool(db, pluginId, { load_error: loadError });
}
