import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/** `user.token_version`: raised by a password change, which revokes the session tokens signed before it. */
export const userTokenVersionMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable("user")
      .addColumn("token_version", "integer", (column) => column.notNull().defaultTo(0))
      .execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.alterTable("user").dropColumn("token_version").execute();
  },
};
