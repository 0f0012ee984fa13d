import type { Kysely, Selectable } from "kysely";
import { epochSeconds } from "./epoch-seconds.ts";
import type { Database, FileTable } from "./schema.ts";

export type FileRow = Selectable<FileTable>;

/** What a new file row needs: its bytes are already in the storage under `storageKey`. */
export interface NewFileRow {
  id: string;
  userId: string;
  filename: string;
  contentType: string;
  size: number;
  hash: string;
  storageKey: string;
}

export async function insertFile(db: Kysely<Database>, file: NewFileRow): Promise<FileRow> {
  const now = epochSeconds();
  return db
    .insertInto("file")
    .values({
      id: file.id,
      user_id: file.userId,
      filename: file.filename,
      content_type: file.contentType,
      size: file.size,
      hash: file.hash,
      storage_key: file.storageKey,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findFileById(db: Kysely<Database>, id: string): Promise<FileRow | undefined> {
  return db.selectFrom("file").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Files newest first: one user's, or everyone's when `userId` is undefined (admins). */
export async function listFiles(db: Kysely<Database>, options: { userId?: string } = {}): Promise<FileRow[]> {
  let query = db.selectFrom("file").selectAll().orderBy("created_at", "desc").orderBy("id");
  if (options.userId !== undefined) query = query.where("user_id", "=", options.userId);
  return query.execute();
}

/** Removes the row; false when there was none. */
export async function deleteFileRow(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("file").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * The JSON of a user's chats whose text mentions `text` (a file id): candidates, which the
 * caller parses to see whether a message or the chat really lists the file.
 */
export async function findChatTextsMentioning(db: Kysely<Database>, userId: string, text: string): Promise<string[]> {
  // `text` is a UUID (checked by the caller), so it holds no LIKE wildcard.
  const rows = await db.selectFrom("chat").select("chat").where("user_id", "=", userId).where("chat", "like", `%${text}%`).execute();
  return rows.map((row) => row.chat);
}
