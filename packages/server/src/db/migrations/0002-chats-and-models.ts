import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { databaseKind } from "../database-kind.ts";

/** Chats (the conversation JSON per user) and models (per-model settings and custom models). */
export const chatsAndModelsMigration: Migration = {
  async up(db: Kysely<any>) {
    const isPostgres = databaseKind(db) === "postgres";
    const booleanType = isPostgres ? "boolean" : "integer";

    await db.schema
      .createTable("chat")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("user_id", "text", (column) => column.notNull().references("user.id").onDelete("cascade"))
      .addColumn("title", "text", (column) => column.notNull())
      .addColumn("chat", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("archived", booleanType, (column) => column.notNull().defaultTo(isPostgres ? sql`false` : sql`0`))
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("chat_user_id_updated_at_index").on("chat").columns(["user_id", "updated_at"]).execute();

    await db.schema
      .createTable("model")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("base_model_id", "text")
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("meta", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("params", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("access_control", "text")
      .addColumn("is_active", booleanType, (column) => column.notNull().defaultTo(isPostgres ? sql`true` : sql`1`))
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.dropTable("model").ifExists().execute();
    await db.schema.dropTable("chat").ifExists().execute();
  },
};
