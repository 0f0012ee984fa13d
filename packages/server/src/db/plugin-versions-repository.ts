import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Database, PluginVersionTable } from "./schema.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { parseMeta, type PluginMeta } from "./plugin-records.ts";

type Executor = Kysely<Database>;

/** `function` or `tool`: the table the plugin is saved in. */
export type VersionNamespace = "function" | "tool";

/** One saved state of a plugin, as the API shows it. */
export interface PluginVersionRecord {
  id: string;
  plugin_id: string;
  number: number;
  user_id: string;
  name: string;
  content: string;
  meta: PluginMeta;
  message: string | null;
  created_at: number;
}

export interface NewPluginVersion {
  pluginId: string;
  userId: string;
  name: string;
  content: string;
  meta: PluginMeta;
  message?: string | null;
}

function toRecord({ namespace: _namespace, ...row }: Selectable<PluginVersionTable>): PluginVersionRecord {
  return { ...row, number: Number(row.number), created_at: Number(row.created_at), meta: parseMeta(row.meta) };
}

/**
 * Keeps a new version of a plugin, numbered one past its last. Two saves at once may pick the same
 * number; the loser tries again (not inside a caller's transaction, where PostgreSQL would have
 * aborted it: there the caller's write already serialises).
 */
export async function insertPluginVersion(
  db: Executor,
  namespace: VersionNamespace,
  input: NewPluginVersion,
): Promise<PluginVersionRecord> {
  for (let attempt = 1; ; attempt++) {
    const last = await db
      .selectFrom("plugin_version")
      .select((builder) => builder.fn.max("number").as("number"))
      .where("namespace", "=", namespace)
      .where("plugin_id", "=", input.pluginId)
      .executeTakeFirst();
    const row = {
      id: randomUUID(),
      namespace,
      plugin_id: input.pluginId,
      number: Number(last?.number ?? 0) + 1,
      user_id: input.userId,
      name: input.name,
      content: input.content,
      meta: JSON.stringify(input.meta),
      message: input.message?.trim() || null,
      created_at: epochSeconds(),
    };
    try {
      await db.insertInto("plugin_version").values(row).execute();
      return toRecord(row);
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 5 || db.isTransaction) throw error;
    }
  }
}

/** A plugin's versions, newest first, without their code. */
export async function listPluginVersions(
  db: Executor,
  namespace: VersionNamespace,
  pluginId: string,
): Promise<Array<Omit<PluginVersionRecord, "content">>> {
  const rows = await db
    .selectFrom("plugin_version")
    .select(["id", "namespace", "plugin_id", "number", "user_id", "name", "meta", "message", "created_at"])
    .where("namespace", "=", namespace)
    .where("plugin_id", "=", pluginId)
    .orderBy("number", "desc")
    .execute();
  return rows.map(({ namespace: _namespace, ...row }) => ({
    ...row,
    number: Number(row.number),
    created_at: Number(row.created_at),
    meta: parseMeta(row.meta),
  }));
}

export async function findPluginVersion(
  db: Executor,
  namespace: VersionNamespace,
  pluginId: string,
  versionId: string,
): Promise<PluginVersionRecord | undefined> {
  const row = await db
    .selectFrom("plugin_version")
    .selectAll()
    .where("namespace", "=", namespace)
    .where("plugin_id", "=", pluginId)
    .where("id", "=", versionId)
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** Deletes every version of a plugin (the plugin is being deleted). */
export async function deletePluginVersions(db: Executor, namespace: VersionNamespace, pluginId: string): Promise<void> {
  await db.deleteFrom("plugin_version").where("namespace", "=", namespace).where("plugin_id", "=", pluginId).execute();
}
