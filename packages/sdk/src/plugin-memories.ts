/**
 * One of the user's memories, as `ctx.memories` answers it.
 *
 * @example
 * const memory: Memory = { id: "5f0c…", content: "Prefers answers in French", createdAt: 1764900000, updatedAt: 1764900000 };
 */
export interface Memory {
  id: string;
  content: string;
  /** Epoch seconds. */
  createdAt: number;
  updatedAt: number;
}

/**
 * A memory found by {@link PluginMemories.query}: a higher `score` is a better match.
 *
 * @example
 * const match: MemoryMatch = { id: "5f0c…", content: "Prefers answers in French", score: 0.82 };
 */
export interface MemoryMatch {
  id: string;
  content: string;
  score: number;
}

/**
 * `ctx.memories`: the requesting user's memories, the same ones Settings → Memories and
 * `/api/v1/memories` show (Open WebUI's memories). A call outside any user's request has none
 * and fails. Contents are capped by the server (`MEMORY_MAX_CHARACTERS`, `MEMORY_MAX_PER_USER`).
 * `query` ranks by the server's embedding model (`EMBEDDING_MODEL`) when one is set, else by
 * full-text search, and answers only matches, best first.
 *
 * @example
 * const [best] = await ctx.memories.query(lastUserMessage, { k: 3 });
 * if (best) body.messages.unshift({ role: "system", content: `What you know of the user: ${best.content}` });
 * await ctx.memories.add("Prefers answers in French");
 */
export interface PluginMemories {
  list(): Promise<Memory[]>;
  add(content: string): Promise<Memory>;
  update(id: string, content: string): Promise<Memory>;
  /** Resolves `true`; an id that is not the user's fails with NOT_FOUND. */
  delete(id: string): Promise<boolean>;
  /** The `k` best matches (1 by default, at most 100). */
  query(text: string, options?: { k?: number }): Promise<MemoryMatch[]>;
}
