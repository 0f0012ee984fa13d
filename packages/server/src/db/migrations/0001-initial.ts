import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { databaseKind } from "../database-kind.ts";

/** Creates every table of `schema.ts`. Booleans are `boolean` on PostgreSQL, 0/1 integers on SQLite. */
export const initialMigration: Migration = {
  async up(db: Kysely<any>) {
    const booleanType = databaseKind(db) === "postgres" ? "boolean" : "integer";
    const falseValue = databaseKind(db) === "postgres" ? sql`false` : sql`0`;

    await db.schema
      .createTable("user")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("email", "text", (column) => column.notNull())
      .addColumn("role", "text", (column) => column.notNull())
      .addColumn("password_hash", "text", (column) => column.notNull())
      .addColumn("settings", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .addColumn("last_active_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("user_email_unique").on("user").column("email").unique().execute();
    await db.schema.createIndex("user_role_index").on("user").column("role").execute();

    await db.schema
      .createTable("api_key")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("user_id", "text", (column) => column.notNull().references("user.id").onDelete("cascade"))
      .addColumn("key_hash", "text", (column) => column.notNull())
      .addColumn("key_hint", "text", (column) => column.notNull())
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("api_key_key_hash_unique").on("api_key").column("key_hash").unique().execute();
    // One key per user, as in Open WebUI: creating a key replaces the previous one.
    await db.schema.createIndex("api_key_user_id_unique").on("api_key").column("user_id").unique().execute();

    await db.schema
      .createTable("function")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("type", "text", (column) => column.notNull())
      .addColumn("content", "text", (column) => column.notNull())
      .addColumn("meta", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("valves", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("is_active", booleanType, (column) => column.notNull().defaultTo(falseValue))
      .addColumn("is_global", booleanType, (column) => column.notNull().defaultTo(falseValue))
      .addColumn("content_hash", "text", (column) => column.notNull())
      .addColumn("load_error", "text")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("function_user_id_index").on("function").column("user_id").execute();
    await db.schema.createIndex("function_type_index").on("function").column("type").execute();

    await db.schema
      .createTable("tool")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("content", "text", (column) => column.notNull())
      .addColumn("specs", "text", (column) => column.notNull().defaultTo("[]"))
      .addColumn("meta", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("valves", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("access_control", "text")
      .addColumn("is_active", booleanType, (column) => column.notNull().defaultTo(falseValue))
      .addColumn("content_hash", "text", (column) => column.notNull())
      .addColumn("load_error", "text")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("tool_user_id_index").on("tool").column("user_id").execute();

    await db.schema
      .createTable("group")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("description", "text", (column) => column.notNull().defaultTo(""))
      .addColumn("user_ids", "text", (column) => column.notNull().defaultTo("[]"))
      .addColumn("permissions", "text", (column) => column.notNull().defaultTo("{}"))
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();

    await db.schema
      .createTable("config")
      .addColumn("key", "text", (column) => column.primaryKey())
      .addColumn("value", "text", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
  },

  async down(db: Kysely<any>) {
    for (const table of ["config", "group", "tool", "function", "api_key", "user"]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
