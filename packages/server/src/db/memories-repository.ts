import { type Kysely, sql } from "kysely";
import { databaseKind } from "./database-kind.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import type { Database } from "./schema.ts";

/** A memory as it is listed and answered (without its vector). */
export interface MemoryRow {
  id: string;
  user_id: string;
  content: string;
  created_at: number;
  updated_at: number;
}

/** A memory with the vector stored for it, for ranking by embeddings. */
export interface MemoryVectorRow extends MemoryRow {
  embedding: Uint8Array | null;
  embedding_model: string | null;
}

/** A memory found by full-text search; `score` is higher for a better match. */
export interface MemorySearchRow extends MemoryRow {
  score: number;
}

/** A vector to store with a memory: its bytes and the model that made it. */
export interface StoredEmbedding {
  bytes: Uint8Array;
  model: string;
}

const COLUMNS = ["id", "user_id", "content", "created_at", "updated_at"] as const;

/** Every function below is scoped to one user: another user's memory is never read or changed. */
export async function insertMemory(
  db: Kysely<Database>,
  memory: { id: string; userId: string; content: string; embedding?: StoredEmbedding },
): Promise<MemoryRow> {
  const now = epochSeconds();
  return db
    .insertInto("memory")
    .values({
      id: memory.id,
      user_id: memory.userId,
      content: memory.content,
      embedding: memory.embedding?.bytes ?? null,
      embedding_model: memory.embedding?.model ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

/** A user's memories, newest first. */
export async function listMemories(db: Kysely<Database>, userId: string): Promise<MemoryRow[]> {
  return db.selectFrom("memory").select(COLUMNS).where("user_id", "=", userId).orderBy("created_at", "desc").orderBy("id").execute();
}

/** The user's memory with this id; undefined when the user has none (another user's included). */
export async function findMemory(db: Kysely<Database>, userId: string, id: string): Promise<MemoryRow | undefined> {
  return db.selectFrom("memory").select(COLUMNS).where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
}

export async function countMemories(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom("memory")
    .select((select) => select.fn.countAll<number | string>().as("count"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Replaces the content (and its vector, or none); undefined when the user has no such memory. */
export async function updateMemoryContent(
  db: Kysely<Database>,
  userId: string,
  id: string,
  content: string,
  embedding: StoredEmbedding | undefined,
): Promise<MemoryRow | undefined> {
  return db
    .updateTable("memory")
    .set({ content, embedding: embedding?.bytes ?? null, embedding_model: embedding?.model ?? null, updated_at: epochSeconds() })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/** Stores a vector made later, only if the content it was made from is still the memory's. */
export async function setMemoryEmbedding(
  db: Kysely<Database>,
  userId: string,
  memory: { id: string; content: string },
  embedding: StoredEmbedding,
): Promise<void> {
  await db
    .updateTable("memory")
    .set({ embedding: embedding.bytes, embedding_model: embedding.model })
    .where("id", "=", memory.id)
    .where("user_id", "=", userId)
    .where("content", "=", memory.content)
    .execute();
}

/** False when the user has no such memory. */
export async function deleteMemory(db: Kysely<Database>, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom("memory").where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes every memory of the user; answers how many there were. */
export async function deleteUserMemories(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db.deleteFrom("memory").where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A user's memories with their stored vectors, newest first. */
export async function listMemoryVectors(db: Kysely<Database>, userId: string): Promise<MemoryVectorRow[]> {
  return db
    .selectFrom("memory")
    .select([...COLUMNS, "embedding", "embedding_model"])
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .execute();
}

/**
 * The user's memories that contain any of `words`, best first, at most `limit`: SQLite's FTS5
 * (score: minus its bm25) or PostgreSQL's `ts_rank`. `words` must be letters and digits only (see
 * `searchWords`): they are joined into the engine's query syntax as they are.
 */
export async function searchMemories(
  db: Kysely<Database>,
  userId: string,
  words: readonly string[],
  limit: number,
): Promise<MemorySearchRow[]> {
  if (words.length === 0) return [];
  if (databaseKind(db) === "sqlite") {
    const match = words.map((word) => `"${word}"`).join(" OR ");
    const { rows } = await sql<MemorySearchRow>`
      SELECT memory.id, memory.user_id, memory.content, memory.created_at, memory.updated_at, -bm25(memory_fts) AS score
      FROM memory_fts JOIN memory ON memory.seq = memory_fts.rowid
      WHERE memory_fts MATCH ${match} AND memory.user_id = ${userId}
      ORDER BY bm25(memory_fts), memory.created_at DESC, memory.id
      LIMIT ${limit}`.execute(db);
    return rows;
  }
  const { rows } = await sql<MemorySearchRow>`
    SELECT id, user_id, content, created_at, updated_at, ts_rank(content_search, query) AS score
    FROM memory, to_tsquery('english', ${words.join(" | ")}) AS query
    WHERE user_id = ${userId} AND content_search @@ query
    ORDER BY score DESC, created_at DESC, id
    LIMIT ${limit}`.execute(db);
  return rows;
}
