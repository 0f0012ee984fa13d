import { type Kysely, sql } from "kysely";
import { databaseKind } from "./database-kind.ts";
import type { Database } from "./schema.ts";

type Executor = Kysely<Database>;

/** A plugin's storage: `function` or `tool` (the table it is saved in), and its id. */
export interface PluginStorageOwner {
  namespace: "function" | "tool";
  pluginId: string;
}

/** One key/value space: the plugin's own (`userId` "") or the plugin's for one user. */
export interface StorageSpace extends PluginStorageOwner {
  userId: string;
}

/** A value to write: JSON text, its size as counted against the caps, when it expires. */
export interface StoredValueWrite {
  json: string;
  size: number;
  expiresAtMs: number | null;
}

/** Rows of one space that have not expired at `nowMs`. */
function liveRows(db: Executor, space: StorageSpace, nowMs: number) {
  return db
    .selectFrom("plugin_storage")
    .where("namespace", "=", space.namespace)
    .where("plugin_id", "=", space.pluginId)
    .where("user_id", "=", space.userId)
    .where((where) => where.or([where("expires_at_ms", "is", null), where("expires_at_ms", ">", nowMs)]));
}

/** The JSON text stored under `key`, unless there is none or it expired. */
export async function findStoredValue(db: Executor, space: StorageSpace, key: string, nowMs: number): Promise<string | undefined> {
  const row = await liveRows(db, space, nowMs).select("value").where("key", "=", key).executeTakeFirst();
  return row?.value;
}

/** The keys of a space starting with `prefix`, in code-unit order (the same on every engine). */
export async function listStoredKeys(db: Executor, space: StorageSpace, prefix: string, nowMs: number): Promise<string[]> {
  let query = liveRows(db, space, nowMs).select("key");
  // substr, not LIKE: a prefix may hold % and _, and both engines count characters alike.
  if (prefix !== "") query = query.where(sql`substr(key, 1, ${prefix.length})`, "=", prefix);
  const rows = await query.execute();
  return rows.map((row) => row.key).sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
}

/** Deletes `key` of a space; resolves true when it held a value that had not expired. */
export async function deleteStoredValue(db: Executor, space: StorageSpace, key: string, nowMs: number): Promise<boolean> {
  const live = await findStoredValue(db, space, key, nowMs);
  await db
    .deleteFrom("plugin_storage")
    .where("namespace", "=", space.namespace)
    .where("plugin_id", "=", space.pluginId)
    .where("user_id", "=", space.userId)
    .where("key", "=", key)
    .execute();
  return live !== undefined;
}

/**
 * Writes `key` of a space when the plugin's total (every space of it, expired values not counted)
 * stays within `maxTotalBytes` with the new value in place of the old; otherwise writes nothing and
 * resolves with the total the write would have made. One write per plugin at a time (a lock on
 * PostgreSQL; SQLite runs one transaction at a time), so concurrent writes cannot overshoot the cap.
 */
export async function writeStoredValue(
  db: Executor,
  space: StorageSpace,
  key: string,
  write: StoredValueWrite,
  options: { maxTotalBytes: number; nowMs: number },
): Promise<{ isWritten: true } | { isWritten: false; totalBytes: number }> {
  return db.transaction().execute(async (transaction) => {
    if (databaseKind(transaction) === "postgres") {
      await sql`select pg_advisory_xact_lock(hashtext(${`sluice-plugin-storage:${space.namespace}:${space.pluginId}`}))`.execute(
        transaction,
      );
    }
    await sweepExpiredValues(transaction, options.nowMs, space);
    const totals = await transaction
      .selectFrom("plugin_storage")
      .select([
        sql<string | number | null>`sum(size)`.as("total"),
        sql<string | number | null>`sum(case when user_id = ${space.userId} and key = ${key} then size else 0 end)`.as("replaced"),
      ])
      .where("namespace", "=", space.namespace)
      .where("plugin_id", "=", space.pluginId)
      .executeTakeFirst();
    const totalBytes = Number(totals?.total ?? 0) - Number(totals?.replaced ?? 0) + write.size;
    if (totalBytes > options.maxTotalBytes) return { isWritten: false, totalBytes };
    const row = {
      namespace: space.namespace,
      plugin_id: space.pluginId,
      user_id: space.userId,
      key,
      value: write.json,
      size: write.size,
      expires_at_ms: write.expiresAtMs,
      updated_at: options.nowMs,
    };
    await transaction
      .insertInto("plugin_storage")
      .values(row)
      .onConflict((conflict) =>
        conflict
          .columns(["namespace", "plugin_id", "user_id", "key"])
          .doUpdateSet({ value: row.value, size: row.size, expires_at_ms: row.expires_at_ms, updated_at: row.updated_at }),
      )
      .execute();
    return { isWritten: true };
  });
}

/** Deletes values expired at `nowMs`: every plugin's, or one plugin's. Resolves with how many. */
export async function sweepExpiredValues(db: Executor, nowMs: number, owner?: PluginStorageOwner): Promise<number> {
  let query = db.deleteFrom("plugin_storage").where("expires_at_ms", "<=", nowMs);
  if (owner) query = query.where("namespace", "=", owner.namespace).where("plugin_id", "=", owner.pluginId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes everything a plugin stored (when the plugin is deleted). */
export async function deletePluginStorage(db: Executor, owner: PluginStorageOwner): Promise<void> {
  await db.deleteFrom("plugin_storage").where("namespace", "=", owner.namespace).where("plugin_id", "=", owner.pluginId).execute();
}
