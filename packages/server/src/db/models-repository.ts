import type { Kysely, Selectable } from "kysely";
import { z } from "zod";
import { epochSeconds } from "./epoch-seconds.ts";
import { parseJsonColumn } from "./json-column.ts";
import type { ModelRecord } from "../core/records.ts";
import type { Database, ModelTable } from "./schema.ts";
import { type AccessControl, accessControlSchema } from "./tools-repository.ts";

const pluginIds = z.array(z.string(), { error: "expected a list of plugin ids (strings)" });

/**
 * A model's `meta`: the plugins attached to it and how it is shown. Unknown keys
 * (`profile_image_url`, `suggestion_prompts`, `builtinTools`, …) are kept.
 */
export const modelMetaSchema = z.looseObject({
  description: z.string().nullable().optional(),
  /** Filters that run for this model, on top of the global ones. */
  filterIds: pluginIds.optional(),
  /** Toggleable filters switched on by default in the chat UI. */
  defaultFilterIds: pluginIds.optional(),
  /** Action buttons under this model's messages. */
  actionIds: pluginIds.optional(),
  /** Tools offered to this model (the chat UI's default selection). */
  toolIds: pluginIds.optional(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
});

export type ModelMeta = z.output<typeof modelMetaSchema>;

export const modelParamsSchema = z.record(z.string(), z.unknown());

export type { ModelRecord };

function toRecord(row: Selectable<ModelTable>): ModelRecord {
  return {
    ...row,
    meta: parseJsonColumn(modelMetaSchema, row.meta, {}),
    params: parseJsonColumn(modelParamsSchema, row.params, {}),
    access_control: row.access_control === null ? null : parseJsonColumn(accessControlSchema, row.access_control, {}),
    is_active: Boolean(row.is_active),
  };
}

type Executor = Kysely<Database>;

/** Every model row, by id. */
export async function listModels(db: Executor): Promise<ModelRecord[]> {
  const rows = await db.selectFrom("model").selectAll().orderBy("id").execute();
  return rows.map(toRecord);
}

export async function findModel(db: Executor, id: string): Promise<ModelRecord | undefined> {
  const row = await db.selectFrom("model").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toRecord(row);
}

export interface NewModel {
  id: string;
  user_id: string;
  base_model_id?: string | null;
  name: string;
  meta?: ModelMeta;
  params?: Record<string, unknown>;
  access_control?: AccessControl;
  is_active?: boolean;
}

/** Inserts a model row; a taken id fails with the database's unique violation (see `isUniqueViolation`). */
export async function insertModel(db: Executor, input: NewModel): Promise<ModelRecord> {
  const now = epochSeconds();
  const row = await db
    .insertInto("model")
    .values({
      id: input.id,
      user_id: input.user_id,
      base_model_id: input.base_model_id ?? null,
      name: input.name,
      meta: JSON.stringify(input.meta ?? {}),
      params: JSON.stringify(input.params ?? {}),
      access_control: input.access_control ? JSON.stringify(input.access_control) : null,
      is_active: input.is_active ?? true,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

export interface ModelPatch {
  base_model_id?: string | null;
  name?: string;
  meta?: ModelMeta;
  params?: Record<string, unknown>;
  access_control?: AccessControl;
  is_active?: boolean;
}

/** Replaces the fields given; undefined when there is no such model. */
export async function updateModel(db: Executor, id: string, patch: ModelPatch): Promise<ModelRecord | undefined> {
  const { meta, params, access_control, ...rest } = patch;
  const row = await db
    .updateTable("model")
    .set({
      ...rest,
      ...(meta !== undefined && { meta: JSON.stringify(meta) }),
      ...(params !== undefined && { params: JSON.stringify(params) }),
      ...(access_control !== undefined && { access_control: access_control === null ? null : JSON.stringify(access_control) }),
      updated_at: epochSeconds(),
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row && toRecord(row);
}

export async function deleteModel(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom("model").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
