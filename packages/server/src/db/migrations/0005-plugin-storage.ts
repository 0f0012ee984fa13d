import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * `plugin_storage`: what plugins keep with `ctx.storage` (`user_id` "") and `ctx.storage.user`
 * (`user_id` the user's), per plugin namespace (`function` or `tool`: a tool and a function may
 * share an id) and plugin id. `value` is JSON text; `size` its key and value in UTF-8 bytes, summed
 * for the per-plugin cap. `expires_at_ms` (epoch milliseconds, null = never) is for `ttlSeconds`.
 */
export const pluginStorageMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("plugin_storage")
      .addColumn("namespace", "text", (column) => column.notNull())
      .addColumn("plugin_id", "text", (column) => column.notNull())
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("key", "text", (column) => column.notNull())
      .addColumn("value", "text", (column) => column.notNull())
      .addColumn("size", "bigint", (column) => column.notNull())
      .addColumn("expires_at_ms", "bigint")
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .addPrimaryKeyConstraint("plugin_storage_pkey", ["namespace", "plugin_id", "user_id", "key"])
      .execute();
    await db.schema.createIndex("plugin_storage_expires_at_ms_index").on("plugin_storage").column("expires_at_ms").execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.dropTable("plugin_storage").ifExists().execute();
  },
};
