import { SluiceError } from "../errors.ts";
import type { ChatMeta, PluginChat, StoredChat } from "../plugin-chat.ts";
import { assertJsonValue } from "./assert-json-value.ts";
import type { HostServe } from "./create-serve.ts";
import { describeValue } from "./describe-value.ts";

/**
 * `ctx.chat` over the service channel: `chat.get`, `chat.setTitle` and `chat.meta.*`. The host
 * decides which chat (the request's, only the requester's own); this side checks what only it can
 * see (a value JSON would change).
 *
 * @example
 * const chat = createChat(createServe(host, invocationId));
 * await chat.meta.set("summary", "…");
 */
export function createChat(serve: HostServe): PluginChat {
  const meta: ChatMeta = Object.freeze({
    async get<Value>(key: string): Promise<Value | undefined> {
      checkKey(key, "ctx.chat.meta.get");
      const found = (await serve("chat.meta.get", key)) as { value: Value } | null;
      return found === null ? undefined : found.value;
    },
    async set(key: string, value: unknown): Promise<void> {
      checkKey(key, "ctx.chat.meta.set");
      if (value === undefined)
        throw new SluiceError("INVALID_INPUT", `ctx.chat.meta.set("${key}") got no value; use ctx.chat.meta.delete to remove a key`);
      assertJsonValue(value, `The value given to ctx.chat.meta.set("${key}")`, "value");
      await serve("chat.meta.set", key, value);
    },
    async delete(key: string): Promise<boolean> {
      checkKey(key, "ctx.chat.meta.delete");
      return (await serve("chat.meta.delete", key)) === true;
    },
  });
  return Object.freeze({
    get: async () => (await serve("chat.get")) as StoredChat | null,
    async setTitle(title: string): Promise<void> {
      if (typeof title !== "string" || title.trim() === "")
        throw new SluiceError("INVALID_INPUT", `ctx.chat.setTitle expects a non-empty string, got ${describeValue(title)}`);
      await serve("chat.setTitle", title);
    },
    meta,
  });
}

function checkKey(key: unknown, label: string): void {
  if (typeof key !== "string" || key === "")
    throw new SluiceError("INVALID_INPUT", `${label} expects a non-empty string key, got ${describeValue(key)}`);
}
