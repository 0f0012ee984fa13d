import type { Kysely } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import { initialMigration } from "./0001-initial.ts";
import { chatsAndModelsMigration } from "./0002-chats-and-models.ts";
import { userTokenVersionMigration } from "./0003-user-token-version.ts";
import { answerInProgressMigration } from "./0004-answer-in-progress.ts";
import { pluginStorageMigration } from "./0005-plugin-storage.ts";
import { filesMigration } from "./0006-files.ts";
import { memoriesMigration } from "./0007-memories.ts";
import { chatHistoryMigration } from "./0009-chat-history.ts";
import { pluginVersionsMigration } from "./0010-plugin-versions.ts";
import { userProfileImageMigration } from "./0011-user-profile-image.ts";

/**
 * Every migration, in order. Names sort lexically, so keep the four-digit prefix.
 * A new migration is a new file here plus a line in this list; never edit a released one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  "0001-initial": initialMigration,
  "0002-chats-and-models": chatsAndModelsMigration,
  "0003-user-token-version": userTokenVersionMigration,
  "0004-answer-in-progress": answerInProgressMigration,
  "0005-plugin-storage": pluginStorageMigration,
  "0006-files": filesMigration,
  "0007-memories": memoriesMigration,
  "0009-chat-history": chatHistoryMigration,
  "0010-plugin-versions": pluginVersionsMigration,
  "0011-user-profile-image": userProfileImageMigration,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Brings the schema up to date; run at start-up. Kysely locks the migration table, so several
 * instances starting at once on one PostgreSQL database apply each migration exactly once.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableName: "sluice_migration", migrationLockTableName: "sluice_migration_lock" });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === "Error");
    const where = failed ? ` (migration ${failed.migrationName})` : "";
    throw new Error(`Database migration failed${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return results.filter((result) => result.status === "Success").map((result) => result.migrationName);
}
