import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/** `user.profile_image_url`: the avatar, a small `data:image/…` URL or a link (Open WebUI's column). */
export const userProfileImageMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("user").addColumn("profile_image_url", "text").execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.alterTable("user").dropColumn("profile_image_url").execute();
  },
};
