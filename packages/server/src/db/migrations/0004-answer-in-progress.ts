import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * `answer_in_progress`: one row per chat answer being written, so an answer cut by a crash or a
 * kill -9 is found and marked interrupted (see `chat/answers-in-progress.ts`). Times are epoch
 * milliseconds: heartbeats come every few seconds, and tests make them shorter still.
 */
export const answerInProgressMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("answer_in_progress")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("chat_id", "text", (column) => column.notNull())
      .addColumn("message_id", "text", (column) => column.notNull())
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("instance_id", "text", (column) => column.notNull())
      .addColumn("started_at_ms", "bigint", (column) => column.notNull())
      .addColumn("heartbeat_at_ms", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("answer_in_progress_instance_id_index").on("answer_in_progress").column("instance_id").execute();
    await db.schema.createIndex("answer_in_progress_heartbeat_at_ms_index").on("answer_in_progress").column("heartbeat_at_ms").execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.dropTable("answer_in_progress").ifExists().execute();
  },
};
