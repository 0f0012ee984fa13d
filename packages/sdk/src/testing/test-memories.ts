import { SluiceError } from "../errors.ts";
import type { Memory, MemoryMatch } from "../plugin-memories.ts";
import type { HostServeRequest } from "../runtime/types.ts";

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/**
 * `ctx.memories` in memory for the test harness, per user id. `query` ranks by the share of the
 * query's words a memory has (the server ranks by embeddings or its full-text index) and, like
 * the server's full-text ranking, answers only memories sharing a word with the query.
 *
 * @example
 * const memories = createTestMemories({ "user-1": ["Likes tea"] });
 * await memories.serve({ method: "memories.query", args: ["tea?", {}] }, "user-1");
 */
export function createTestMemories(initial: Record<string, string[]> = {}) {
  const byUser = new Map<string, Memory[]>();
  let lastId = 0;
  const now = () => Math.floor(Date.now() / 1000);
  const listOf = (userId: string | null) => {
    if (!userId) throw new SluiceError("INVALID_INPUT", "ctx.memories needs a user, and this call has none");
    let list = byUser.get(userId);
    if (!list) byUser.set(userId, (list = []));
    return list;
  };
  const make = (content: string): Memory => ({ id: `memory-${++lastId}`, content: content.trim(), createdAt: now(), updatedAt: now() });
  for (const [userId, contents] of Object.entries(initial)) listOf(userId).push(...contents.map(make));
  const find = (list: Memory[], id: unknown) => {
    const memory = list.find((entry) => entry.id === id);
    if (!memory) throw new SluiceError("NOT_FOUND", `Memory not found: ${String(id)}`);
    return memory;
  };
  const checkContent = (content: unknown): string => {
    if (typeof content !== "string" || content.trim() === "") throw new SluiceError("INVALID_INPUT", "A memory must be a non-empty string");
    return content;
  };

  return {
    /** Answers one `memories.*` call of the service channel for `userId`, as the server would. */
    async serve(request: HostServeRequest, userId: string | null): Promise<unknown> {
      const list = listOf(userId);
      const [first, second] = request.args as [unknown, unknown];
      switch (request.method) {
        case "memories.list":
          return list.map((memory) => ({ ...memory }));
        case "memories.add": {
          const memory = make(checkContent(first));
          list.push(memory);
          return { ...memory };
        }
        case "memories.update": {
          const memory = find(list, first);
          Object.assign(memory, { content: checkContent(second).trim(), updatedAt: now() });
          return { ...memory };
        }
        case "memories.delete":
          list.splice(list.indexOf(find(list, first)), 1);
          return true;
        case "memories.query": {
          const asked = words(String(first));
          const k = (second as { k?: number } | undefined)?.k ?? 1;
          return list
            .map((memory): MemoryMatch => {
              const shared = [...words(memory.content)].filter((word) => asked.has(word)).length;
              return { id: memory.id, content: memory.content, score: asked.size ? shared / asked.size : 0 };
            })
            .filter((match) => match.score > 0)
            .sort((a, b) => b.score - a.score)
            .slice(0, k);
        }
        default:
          throw new SluiceError("INVALID_INPUT", `The test harness has no host method "${request.method}"`);
      }
    },
    /** The memories' contents per user id, in the order they were added. */
    snapshot(): Record<string, string[]> {
      return Object.fromEntries([...byUser].map(([userId, list]) => [userId, list.map((memory) => memory.content)]));
    },
  };
}
