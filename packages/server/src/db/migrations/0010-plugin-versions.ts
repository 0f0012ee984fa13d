import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * `plugin_version`: every saved state of a function or tool (create, update, import, restore), so
 * an admin can see who changed what and go back. `number` counts from 1 for each plugin;
 * `meta` is the row's JSON meta at that save. Deleting a plugin deletes its versions.
 */
export const pluginVersionsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("plugin_version")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("namespace", "text", (column) => column.notNull())
      .addColumn("plugin_id", "text", (column) => column.notNull())
      .addColumn("number", "integer", (column) => column.notNull())
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("content", "text", (column) => column.notNull())
      .addColumn("meta", "text", (column) => column.notNull())
      .addColumn("message", "text")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addUniqueConstraint("plugin_version_namespace_plugin_id_number_unique", ["namespace", "plugin_id", "number"])
      .execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.dropTable("plugin_version").ifExists().execute();
  },
};
