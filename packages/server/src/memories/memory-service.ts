import { randomUUID } from "node:crypto";
import { SluiceError } from "@sluice/sdk";
import type { Kysely } from "kysely";
import {
  countMemories,
  deleteMemory,
  deleteUserMemories,
  findMemory,
  insertMemory,
  listMemories,
  listMemoryVectors,
  type MemoryRow,
  searchMemories,
  setMemoryEmbedding,
  type StoredEmbedding,
  updateMemoryContent,
} from "../db/memories-repository.ts";
import type { Database } from "../db/schema.ts";
import { cosineSimilarity, decodeEmbedding, encodeEmbedding } from "./embedding-vector.ts";
import { searchWords } from "./search-words.ts";

/** One vector per text, in order (the upstream's `/embeddings`); throws a SluiceError on failure. */
export type EmbedTexts = (texts: string[], signal?: AbortSignal) => Promise<number[][]>;

/** The model memories are ranked with and how its vectors are made. */
export interface EmbeddingSetup {
  model: string;
  embed: EmbedTexts;
}

export interface MemoryServiceOptions {
  db: Kysely<Database>;
  /** Longest memory (and query), in characters (`MEMORY_MAX_CHARACTERS`). */
  maxCharacters: number;
  /** Most memories one user may keep (`MEMORY_MAX_PER_USER`). */
  maxPerUser: number;
  /** Ranking by embeddings (`EMBEDDING_MODEL`); full-text ranking in the database when unset. */
  embeddings?: EmbeddingSetup;
}

/** A memory as the service answers it. */
export interface Memory {
  id: string;
  userId: string;
  content: string;
  createdAt: number;
  updatedAt: number;
}

/** A memory found by {@link MemoryService.query}: higher `score` is a better match. */
export interface MemoryMatch extends Memory {
  score: number;
}

/** Results of a query unless it asks for another number (Open WebUI's default). */
export const DEFAULT_QUERY_RESULTS = 1;
/** Most results one query may ask for. */
export const MAX_QUERY_RESULTS = 100;
/** Texts sent to the upstream in one embeddings request when older memories get their vectors. */
const EMBEDDING_BATCH_SIZE = 128;

function present(row: MemoryRow): Memory {
  return { id: row.id, userId: row.user_id, content: row.content, createdAt: row.created_at, updatedAt: row.updated_at };
}

function notFound(id: unknown): SluiceError {
  return new SluiceError("NOT_FOUND", `Memory not found: ${String(id).slice(0, 100)}`);
}

/**
 * Per-user memories (Open WebUI's "memories"): the REST routes under `/api/v1/memories` and
 * `ctx.memories` in plugins both go through here. Every method takes the user it acts for and
 * never reads or changes another user's memories: another user's id is NOT_FOUND, like a
 * missing one.
 *
 * Ranking: with `embeddings`, each memory's vector is stored with it (made when it is added or
 * changed) and `query` ranks every memory by cosine similarity to the query's vector; a memory
 * without a vector from the current model (added before the model was set, or under another
 * one) gets one during the next query. Without `embeddings`, `query` asks the database's
 * full-text index (SQLite FTS5, PostgreSQL `tsvector`) and answers only memories sharing a word
 * with the query. When the upstream's embeddings fail, the call fails with UPSTREAM_ERROR and
 * nothing is stored or changed: there is no silent fallback to full-text ranking.
 *
 * @example
 * const memories = createMemoryService({ db, maxCharacters: 10_000, maxPerUser: 1000 });
 * await memories.add(user.id, "My favourite colour is blue");
 * const [best] = await memories.query(user.id, "Which colour do I like?", { k: 3 });
 */
export function createMemoryService(options: MemoryServiceOptions) {
  const { db, embeddings } = options;

  function checkText(text: unknown, what: "A memory" | "A query"): string {
    if (typeof text !== "string") throw new SluiceError("INVALID_INPUT", `${what} must be a string`);
    const trimmed = text.trim();
    if (trimmed === "") throw new SluiceError("INVALID_INPUT", `${what} must not be empty`);
    if (trimmed.length > options.maxCharacters) {
      throw new SluiceError(
        "PAYLOAD_TOO_LARGE",
        `${what} may have at most ${options.maxCharacters} characters (MEMORY_MAX_CHARACTERS); this one has ${trimmed.length}`,
      );
    }
    return trimmed;
  }

  /** The vectors of `texts`; a failure names the model, keeping the upstream's message. */
  async function embed(setup: EmbeddingSetup, texts: string[], signal?: AbortSignal): Promise<number[][]> {
    try {
      return await setup.embed(texts, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new SluiceError("UPSTREAM_ERROR", `The embeddings of EMBEDDING_MODEL "${setup.model}" failed: ${message}`, {
        cause: error,
        details: SluiceError.isInstance(error) ? error.details : undefined,
      });
    }
  }

  /** The vector to store with `content`, or none without an embedding model. */
  async function embeddingOf(content: string): Promise<StoredEmbedding | undefined> {
    if (!embeddings) return undefined;
    const [vector] = await embed(embeddings, [content]);
    return { bytes: encodeEmbedding(vector!), model: embeddings.model };
  }

  async function queryByEmbeddings(
    userId: string,
    text: string,
    k: number,
    setup: EmbeddingSetup,
    signal?: AbortSignal,
  ): Promise<MemoryMatch[]> {
    const rows = await listMemoryVectors(db, userId);
    if (rows.length === 0) return [];
    const [query] = await embed(setup, [text], signal);
    const queryVector = query!;
    const vectors = rows.map((row) =>
      row.embedding && row.embedding_model === setup.model ? decodeEmbedding(row.embedding) : new Float32Array(0),
    );
    // Memories stored before this model was set (or under another) get their vectors now.
    const stale = rows.flatMap((row, index) => (vectors[index]!.length === queryVector.length ? [] : [index]));
    for (let start = 0; start < stale.length; start += EMBEDDING_BATCH_SIZE) {
      const batch = stale.slice(start, start + EMBEDDING_BATCH_SIZE);
      const made = await embed(
        setup,
        batch.map((index) => rows[index]!.content),
        signal,
      );
      for (const [position, index] of batch.entries()) {
        const bytes = encodeEmbedding(made[position]!);
        vectors[index] = decodeEmbedding(bytes);
        await setMemoryEmbedding(db, userId, rows[index]!, { bytes, model: setup.model });
      }
    }
    return rows
      .map((row, index) => ({ ...present(row), score: cosineSimilarity(queryVector, vectors[index]!) }))
      .sort((left, right) => right.score - left.score || right.createdAt - left.createdAt)
      .slice(0, k);
  }

  return {
    /** Whether `query` ranks by embeddings (true) or by the database's full-text index. */
    usesEmbeddings: embeddings !== undefined,

    /** The user's memories, newest first. */
    async list(userId: string): Promise<Memory[]> {
      return (await listMemories(db, userId)).map(present);
    },

    /** Stores a memory (trimmed); refused when empty, too long, or past the user's count. */
    async add(userId: string, content: unknown): Promise<Memory> {
      const text = checkText(content, "A memory");
      const count = await countMemories(db, userId);
      if (count >= options.maxPerUser) {
        throw new SluiceError(
          "FORBIDDEN",
          `You have ${count} memories, the most one user may keep (MEMORY_MAX_PER_USER=${options.maxPerUser}); delete one before adding another`,
        );
      }
      const embedding = await embeddingOf(text);
      return present(await insertMemory(db, { id: randomUUID(), userId, content: text, embedding }));
    },

    /** Replaces a memory's content; NOT_FOUND unless the user has a memory with this id. */
    async update(userId: string, id: string, content: unknown): Promise<Memory> {
      const text = checkText(content, "A memory");
      if (typeof id !== "string" || !(await findMemory(db, userId, id))) throw notFound(id);
      const embedding = await embeddingOf(text);
      const updated = await updateMemoryContent(db, userId, id, text, embedding);
      if (!updated) throw notFound(id);
      return present(updated);
    },

    /** Deletes a memory; NOT_FOUND unless the user has a memory with this id. */
    async delete(userId: string, id: string): Promise<void> {
      if (typeof id !== "string" || !(await deleteMemory(db, userId, id))) throw notFound(id);
    },

    /** Deletes every memory of the user (no one else's); answers how many there were. */
    async deleteAll(userId: string): Promise<number> {
      return deleteUserMemories(db, userId);
    },

    /**
     * The user's memories most relevant to `text`, best first, at most `k` (default
     * {@link DEFAULT_QUERY_RESULTS}, at most {@link MAX_QUERY_RESULTS}). Scores are cosine
     * similarities with embeddings, the database's rank without; compare them within one answer.
     */
    async query(userId: string, text: unknown, queryOptions: { k?: number; signal?: AbortSignal } = {}): Promise<MemoryMatch[]> {
      const query = checkText(text, "A query");
      const k = queryOptions.k ?? DEFAULT_QUERY_RESULTS;
      if (!Number.isInteger(k) || k < 1 || k > MAX_QUERY_RESULTS) {
        throw new SluiceError("INVALID_INPUT", `k must be a whole number from 1 to ${MAX_QUERY_RESULTS}, got ${String(k)}`);
      }
      if (embeddings) return queryByEmbeddings(userId, query, k, embeddings, queryOptions.signal);
      return (await searchMemories(db, userId, searchWords(query), k)).map((row) => ({ ...present(row), score: row.score }));
    },
  };
}

export type MemoryService = ReturnType<typeof createMemoryService>;
