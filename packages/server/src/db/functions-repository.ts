import type { Kysely, Selectable } from "kysely";
import type { Database, FunctionTable } from "./schema.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import type { FunctionKind, FunctionRecord } from "../core/records.ts";
import { parseMeta, parseValveValues, type PluginMeta } from "./plugin-records.ts";
import { deletePluginStorage } from "./plugin-storage-repository.ts";
import { deletePluginVersions } from "./plugin-versions-repository.ts";

export type { FunctionKind, FunctionRecord };

function toRecord(row: Selectable<FunctionTable>): FunctionRecord {
  return {
    ...row,
    type: row.type as FunctionKind,
    meta: parseMeta(row.meta),
    valves: parseValveValues(row.valves),
    is_active: Boolean(row.is_active),
    is_global: Boolean(row.is_global),
  };
}

type Executor = Kysely<Database>;

export async function listFunctions(db: Executor): Promise<FunctionRecord[]> {
  const rows = await db.selectFrom("function").selectAll().orderBy("updated_at", "desc").orderBy("id").execute();
  return rows.map(toRecord);
}

/** The active functions of one type (the event plugins, say). */
export async function listActiveFunctionsOfType(db: Executor, type: FunctionKind): Promise<FunctionRecord[]> {
  const rows = await db.selectFrom("function").selectAll().where("type", "=", type).where("is_active", "=", true).orderBy("id").execute();
  return rows.map(toRecord);
}

export async function findFunction(db: Executor, id: string): Promise<FunctionRecord | undefined> {
  const row = await db.selectFrom("function").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export interface NewFunction {
  id: string;
  user_id: string;
  name: string;
  type: FunctionKind;
  content: string;
  meta: PluginMeta;
  content_hash: string;
  valves?: Record<string, unknown>;
  is_active?: boolean;
  is_global?: boolean;
}

export async function insertFunction(db: Executor, input: NewFunction): Promise<FunctionRecord> {
  const now = epochSeconds();
  await db
    .insertInto("function")
    .values({
      id: input.id,
      user_id: input.user_id,
      name: input.name,
      type: input.type,
      content: input.content,
      meta: JSON.stringify(input.meta),
      valves: JSON.stringify(input.valves ?? {}),
      is_active: input.is_active ?? false,
      is_global: input.is_global ?? false,
      content_hash: input.content_hash,
      load_error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return (await findFunction(db, input.id))!;
}

export interface FunctionPatch {
  name?: string;
  type?: FunctionKind;
  content?: string;
  meta?: PluginMeta;
  valves?: Record<string, unknown>;
  is_active?: boolean;
  is_global?: boolean;
  content_hash?: string;
  load_error?: string | null;
  user_id?: string;
}

/**
 * Applies `patch` to the row; with `options.ifContentHash`, only while the row's code still has
 * that hash (undefined otherwise, as for a missing row).
 */
export async function updateFunction(
  db: Executor,
  id: string,
  patch: FunctionPatch,
  options: { ifContentHash?: string } = {},
): Promise<FunctionRecord | undefined> {
  const { meta, valves, ...rest } = patch;
  let update = db
    .updateTable("function")
    .set({
      ...rest,
      ...(meta === undefined ? {} : { meta: JSON.stringify(meta) }),
      ...(valves === undefined ? {} : { valves: JSON.stringify(valves) }),
      updated_at: epochSeconds(),
    })
    .where("id", "=", id);
  if (options.ifContentHash !== undefined) update = update.where("content_hash", "=", options.ifContentHash);
  const result = await update.executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return undefined;
  return findFunction(db, id);
}

/** Deletes the function and what it kept with `ctx.storage`: a later plugin of that id starts empty. */
export async function deleteFunction(db: Executor, id: string): Promise<boolean> {
  return db.transaction().execute(async (transaction) => {
    await deletePluginStorage(transaction, { namespace: "function", pluginId: id });
    await deletePluginVersions(transaction, "function", id);
    const result = await transaction.deleteFrom("function").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}
