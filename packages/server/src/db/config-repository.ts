import type { Kysely } from "kysely";
import type { z } from "zod";
import { epochSeconds } from "./epoch-seconds.ts";
import { parseJsonColumn } from "./json-column.ts";
import type { Database } from "./schema.ts";

/**
 * Reads a stored setting, parsed with `schema`; `fallback` when unset or no longer valid.
 *
 * @example
 * const permissions = await getConfigValue(db, "permissions.default", permissionsSchema, {});
 */
export async function getConfigValue<Schema extends z.ZodType>(
  db: Kysely<Database>,
  key: string,
  schema: Schema,
  fallback: z.output<Schema>,
): Promise<z.output<Schema>> {
  const row = await db.selectFrom("config").select("value").where("key", "=", key).executeTakeFirst();
  return row ? parseJsonColumn(schema, row.value, fallback) : fallback;
}

/** Stores a JSON-serialisable setting, replacing any previous value. */
export async function setConfigValue(db: Kysely<Database>, key: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  const now = epochSeconds();
  await db
    .insertInto("config")
    .values({ key, value: text, updated_at: now })
    .onConflict((conflict) => conflict.column("key").doUpdateSet({ value: text, updated_at: now }))
    .execute();
}

export async function deleteConfigValue(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom("config").where("key", "=", key).execute();
}

/**
 * Stores a setting only when none is stored yet (the first of several instances starting at once
 * wins); true when this call stored it.
 */
export async function insertConfigValueIfAbsent(db: Kysely<Database>, key: string, value: unknown): Promise<boolean> {
  const result = await db
    .insertInto("config")
    .values({ key, value: JSON.stringify(value), updated_at: epochSeconds() })
    .onConflict((conflict) => conflict.column("key").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Whether a setting is stored (whatever its value). */
export async function hasConfigValue(db: Kysely<Database>, key: string): Promise<boolean> {
  return (await db.selectFrom("config").select("key").where("key", "=", key).executeTakeFirst()) !== undefined;
}
