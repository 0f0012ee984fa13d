import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * `file`: uploads and files plugins create. The bytes live in the file storage (by default
 * `DATA_DIR/uploads`) under `storage_key`; this row is written only after they are stored, and
 * deleted before they are, so a row never points at missing bytes.
 *
 * No foreign key to `user`: deleting an account must not drop rows and strand their bytes; an
 * admin still lists and deletes such files.
 */
export const filesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("file")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("filename", "text", (column) => column.notNull())
      .addColumn("content_type", "text", (column) => column.notNull())
      .addColumn("size", "bigint", (column) => column.notNull())
      .addColumn("hash", "text", (column) => column.notNull())
      .addColumn("storage_key", "text", (column) => column.notNull())
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("file_user_id_created_at_index").on("file").columns(["user_id", "created_at"]).execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.dropTable("file").ifExists().execute();
  },
};
