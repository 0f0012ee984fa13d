import { SluiceError } from "../errors.ts";
import type { Memory, MemoryMatch, PluginMemories } from "../plugin-memories.ts";
import type { HostServe } from "./create-serve.ts";
import { describeValue } from "./describe-value.ts";

function checkText(value: unknown, label: string): void {
  if (typeof value !== "string") throw new SluiceError("INVALID_INPUT", `${label} expects a string, got ${describeValue(value)}`);
}

/**
 * `ctx.memories` over the host's service channel (methods `memories.*`); the host checks lengths,
 * caps and whose memory an id is.
 *
 * @example
 * const memories = createMemories(createServe(host, invocationId));
 * await memories.add("Likes short answers");
 */
export function createMemories(serve: HostServe): PluginMemories {
  return Object.freeze({
    list: async () => (await serve("memories.list")) as Memory[],
    async add(content: string) {
      checkText(content, "ctx.memories.add");
      return (await serve("memories.add", content)) as Memory;
    },
    async update(id: string, content: string) {
      checkText(id, "ctx.memories.update (id)");
      checkText(content, "ctx.memories.update (content)");
      return (await serve("memories.update", id, content)) as Memory;
    },
    async delete(id: string) {
      checkText(id, "ctx.memories.delete");
      return (await serve("memories.delete", id)) === true;
    },
    async query(text: string, options: { k?: number } = {}) {
      checkText(text, "ctx.memories.query");
      return (await serve("memories.query", text, options ?? {})) as MemoryMatch[];
    },
  });
}
