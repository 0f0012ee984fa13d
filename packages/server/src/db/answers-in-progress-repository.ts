import { randomUUID } from "node:crypto";
import { type Kysely, type Selectable, sql } from "kysely";
import { databaseKind } from "./database-kind.ts";
import type { AnswerInProgressTable, Database } from "./schema.ts";

/** A recorded answer in progress. */
export type AnswerRecord = Selectable<AnswerInProgressTable>;

type Executor = Kysely<Database>;

/**
 * Now in epoch milliseconds, by the database's clock on PostgreSQL: instances on several hosts
 * then compare heartbeats on one clock, so a skewed host clock cannot make live answers look
 * cut. SQLite is only ever shared by processes of one host.
 */
function databaseNow(db: Executor) {
  return databaseKind(db) === "postgres" ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint` : sql<number>`${Date.now()}`;
}

/** Records an answer that starts; resolves to the record's id. */
export async function recordAnswerStart(
  db: Executor,
  answer: { chatId: string; messageId: string; userId: string; instanceId: string },
): Promise<string> {
  const id = randomUUID();
  const now = databaseNow(db);
  await db
    .insertInto("answer_in_progress")
    .values({
      id,
      chat_id: answer.chatId,
      message_id: answer.messageId,
      user_id: answer.userId,
      instance_id: answer.instanceId,
      started_at_ms: now,
      heartbeat_at_ms: now,
    })
    .execute();
  return id;
}

/** Deletes records (answers that ended, or were marked interrupted). */
export async function deleteAnswerRecords(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom("answer_in_progress").where("id", "in", ids).execute();
}

/** One heartbeat for every record of an instance: its answers are still being written. */
export async function refreshAnswerRecords(db: Executor, instanceId: string): Promise<void> {
  await db
    .updateTable("answer_in_progress")
    .set({ heartbeat_at_ms: databaseNow(db) })
    .where("instance_id", "=", instanceId)
    .execute();
}

/** The records of one instance, however fresh. */
export async function findInstanceAnswerRecords(db: Executor, instanceId: string): Promise<AnswerRecord[]> {
  return db.selectFrom("answer_in_progress").selectAll().where("instance_id", "=", instanceId).orderBy("started_at_ms").execute();
}

/** Records of other instances without a heartbeat for `staleMs`: answers cut by their instance's end. */
export async function findStaleAnswerRecords(
  db: Executor,
  options: { staleMs: number; exceptInstanceId: string },
): Promise<AnswerRecord[]> {
  return db
    .selectFrom("answer_in_progress")
    .selectAll()
    .where("instance_id", "<>", options.exceptInstanceId)
    .where("heartbeat_at_ms", "<", sql<number>`${databaseNow(db)} - ${Math.round(options.staleMs)}`)
    .orderBy("started_at_ms")
    .execute();
}
