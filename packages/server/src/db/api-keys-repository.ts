import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { epochSeconds } from "./epoch-seconds.ts";
import type { ApiKeyTable, Database } from "./schema.ts";

export type ApiKey = Selectable<ApiKeyTable>;

/** Stores a user's key (its sha256 and hint), replacing any key the user had. */
export async function replaceApiKey(db: Kysely<Database>, userId: string, key: { keyHash: string; keyHint: string }): Promise<ApiKey> {
  return db.transaction().execute(async (transaction) => {
    await transaction.deleteFrom("api_key").where("user_id", "=", userId).execute();
    return transaction
      .insertInto("api_key")
      .values({ id: randomUUID(), user_id: userId, key_hash: key.keyHash, key_hint: key.keyHint, created_at: epochSeconds() })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** The key with this sha256, to authenticate a request. */
export async function findApiKeyByHash(db: Kysely<Database>, keyHash: string): Promise<ApiKey | undefined> {
  return db.selectFrom("api_key").selectAll().where("key_hash", "=", keyHash).executeTakeFirst();
}

export async function findApiKeyByUserId(db: Kysely<Database>, userId: string): Promise<ApiKey | undefined> {
  return db.selectFrom("api_key").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

/** Removes the user's key; false when it had none. */
export async function deleteApiKey(db: Kysely<Database>, userId: string): Promise<boolean> {
  const result = await db.deleteFrom("api_key").where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
