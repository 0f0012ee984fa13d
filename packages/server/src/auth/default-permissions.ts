import type { Kysely } from "kysely";
import { getConfigValue, setConfigValue } from "../db/config-repository.ts";
import { type Permissions, permissionsSchema } from "../db/permissions.ts";
import type { Database } from "../db/schema.ts";

const DEFAULT_PERMISSIONS_KEY = "permissions.default";

/** What every user may do before any group or personal grant: nothing beyond chatting. */
export const BUILT_IN_DEFAULT_PERMISSIONS: Permissions = { workspace: { tools: false } };

/** The permissions every user has, as set by an admin (the built-in defaults until then). */
export async function readDefaultPermissions(db: Kysely<Database>): Promise<Permissions> {
  return getConfigValue(db, DEFAULT_PERMISSIONS_KEY, permissionsSchema, BUILT_IN_DEFAULT_PERMISSIONS);
}

export async function writeDefaultPermissions(db: Kysely<Database>, permissions: Permissions): Promise<void> {
  await setConfigValue(db, DEFAULT_PERMISSIONS_KEY, permissions);
}
