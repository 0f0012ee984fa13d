import type { Kysely } from "kysely";
import type { FunctionRecord, ToolRecord } from "../core/records.ts";
import type { Database } from "../db/schema.ts";
import { insertPluginVersion, type PluginVersionRecord, type VersionNamespace } from "../db/plugin-versions-repository.ts";

/** Keeps the state a save just wrote as the plugin's next version. */
export function keepVersion(
  db: Kysely<Database>,
  namespace: VersionNamespace,
  record: FunctionRecord | ToolRecord,
  userId: string,
  message: string | null | undefined,
): Promise<PluginVersionRecord> {
  return insertPluginVersion(db, namespace, {
    pluginId: record.id,
    userId,
    name: record.name,
    content: record.content,
    meta: record.meta,
    message,
  });
}
