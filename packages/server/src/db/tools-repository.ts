import type { Kysely, Selectable } from "kysely";
import { z } from "zod";
import type { Database, ToolTable } from "./schema.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import { parseJsonColumn } from "./json-column.ts";
import type { ToolRecord, ToolSpec } from "../core/records.ts";
import { parseMeta, parseValveValues, type PluginMeta } from "./plugin-records.ts";
import { deletePluginStorage } from "./plugin-storage-repository.ts";
import { deletePluginVersions } from "./plugin-versions-repository.ts";

const principalsSchema = z.object({
  user_ids: z.array(z.string()).default([]),
  group_ids: z.array(z.string()).default([]),
});

/** Open WebUI's `access_control`: null = everyone may read; `{}` = owner only; else explicit grants. */
export const accessControlSchema = z
  .object({
    read: principalsSchema.optional(),
    write: principalsSchema.optional(),
  })
  .nullable();

export type AccessControl = z.output<typeof accessControlSchema>;

const specsSchema = z.array(z.object({ name: z.string(), description: z.string(), parameters: z.record(z.string(), z.unknown()) }));

export type { ToolRecord, ToolSpec };

function toRecord(row: Selectable<ToolTable>): ToolRecord {
  return {
    ...row,
    specs: parseJsonColumn(specsSchema, row.specs, []),
    meta: parseMeta(row.meta),
    valves: parseValveValues(row.valves),
    access_control: row.access_control === null ? null : parseJsonColumn(accessControlSchema, row.access_control, {}),
    is_active: Boolean(row.is_active),
  };
}

type Executor = Kysely<Database>;

export async function listTools(db: Executor): Promise<ToolRecord[]> {
  const rows = await db.selectFrom("tool").selectAll().orderBy("updated_at", "desc").orderBy("id").execute();
  return rows.map(toRecord);
}

/** How many tools `userId` owns. */
export async function countToolsOwnedBy(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom("tool")
    .select((builder) => builder.fn.countAll<number | string | bigint>().as("count"))
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function findTool(db: Executor, id: string): Promise<ToolRecord | undefined> {
  const row = await db.selectFrom("tool").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export interface NewTool {
  id: string;
  user_id: string;
  name: string;
  content: string;
  specs: ToolSpec[];
  meta: PluginMeta;
  access_control: AccessControl;
  content_hash: string;
  valves?: Record<string, unknown>;
}

export async function insertTool(db: Executor, input: NewTool): Promise<ToolRecord> {
  const now = epochSeconds();
  await db
    .insertInto("tool")
    .values({
      id: input.id,
      user_id: input.user_id,
      name: input.name,
      content: input.content,
      specs: JSON.stringify(input.specs),
      meta: JSON.stringify(input.meta),
      valves: JSON.stringify(input.valves ?? {}),
      access_control: input.access_control === null ? null : JSON.stringify(input.access_control),
      is_active: true,
      content_hash: input.content_hash,
      load_error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return (await findTool(db, input.id))!;
}

export interface ToolPatch {
  name?: string;
  content?: string;
  specs?: ToolSpec[];
  meta?: PluginMeta;
  valves?: Record<string, unknown>;
  access_control?: AccessControl;
  content_hash?: string;
  load_error?: string | null;
  is_active?: boolean;
  user_id?: string;
}

/**
 * Applies `patch` to the row; with `options.ifContentHash`, only while the row's code still has
 * that hash (undefined otherwise, as for a missing row).
 */
export async function updateTool(
  db: Executor,
  id: string,
  patch: ToolPatch,
  options: { ifContentHash?: string } = {},
): Promise<ToolRecord | undefined> {
  const { specs, meta, valves, access_control, ...rest } = patch;
  let update = db
    .updateTable("tool")
    .set({
      ...rest,
      ...(specs === undefined ? {} : { specs: JSON.stringify(specs) }),
      ...(meta === undefined ? {} : { meta: JSON.stringify(meta) }),
      ...(valves === undefined ? {} : { valves: JSON.stringify(valves) }),
      ...(access_control === undefined ? {} : { access_control: access_control === null ? null : JSON.stringify(access_control) }),
      updated_at: epochSeconds(),
    })
    .where("id", "=", id);
  if (options.ifContentHash !== undefined) update = update.where("content_hash", "=", options.ifContentHash);
  const result = await update.executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return undefined;
  return findTool(db, id);
}

/** Deletes the tool and what it kept with `ctx.storage`: a later plugin of that id starts empty. */
export async function deleteTool(db: Executor, id: string): Promise<boolean> {
  return db.transaction().execute(async (transaction) => {
    await deletePluginStorage(transaction, { namespace: "tool", pluginId: id });
    await deletePluginVersions(transaction, "tool", id);
    const result = await transaction.deleteFrom("tool").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}
