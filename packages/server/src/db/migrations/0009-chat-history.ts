import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { databaseKind } from "../database-kind.ts";

/**
 * The chat list's organisation, Open WebUI's columns and tables:
 * - `chat.pinned`, `chat.folder_id` and `chat.meta` (JSON `{ tags: [tag id, …] }`);
 * - `tag`: a user's tags, `id` being the name lower-cased with spaces as underscores;
 * - `folder`: a user's folders (nested by `parent_id`), `is_expanded` kept per folder.
 */
export const chatHistoryMigration: Migration = {
  async up(db: Kysely<any>) {
    const isPostgres = databaseKind(db) === "postgres";
    const booleanType = isPostgres ? "boolean" : "integer";
    const falseValue = isPostgres ? sql`false` : sql`0`;

    await db.schema
      .alterTable("chat")
      .addColumn("pinned", booleanType, (column) => column.notNull().defaultTo(falseValue))
      .execute();
    await db.schema.alterTable("chat").addColumn("folder_id", "text").execute();
    await db.schema
      .alterTable("chat")
      .addColumn("meta", "text", (column) => column.notNull().defaultTo("{}"))
      .execute();
    await db.schema.createIndex("chat_folder_id_index").on("chat").column("folder_id").execute();

    await db.schema
      .createTable("tag")
      .addColumn("id", "text", (column) => column.notNull())
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("user_id", "text", (column) => column.notNull().references("user.id").onDelete("cascade"))
      .addColumn("meta", "text")
      .addPrimaryKeyConstraint("tag_id_user_id_pk", ["id", "user_id"])
      .execute();

    await db.schema
      .createTable("folder")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("parent_id", "text")
      .addColumn("user_id", "text", (column) => column.notNull().references("user.id").onDelete("cascade"))
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("meta", "text")
      .addColumn("data", "text")
      .addColumn("is_expanded", booleanType, (column) => column.notNull().defaultTo(falseValue))
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("folder_user_id_index").on("folder").column("user_id").execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.dropTable("folder").ifExists().execute();
    await db.schema.dropTable("tag").ifExists().execute();
    await db.schema.dropIndex("chat_folder_id_index").ifExists().execute();
    await db.schema.alterTable("chat").dropColumn("meta").execute();
    await db.schema.alterTable("chat").dropColumn("folder_id").execute();
    await db.schema.alterTable("chat").dropColumn("pinned").execute();
  },
};
