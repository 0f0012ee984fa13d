import { SluiceError } from "../errors.ts";
import type { StoredChat } from "../plugin-chat.ts";
import type { HostServeRequest } from "../runtime/types.ts";

/**
 * The stored chat of the test harness's calls (`chat` option): what `ctx.chat` reads and changes.
 * `meta` is the plugin's own meta on it.
 *
 * @example
 * const chat: TestChat = { id: "c1", title: "New Chat", messages: [{ id: "m1", role: "user", content: "Hi" }] };
 */
export type TestChat = Omit<StoredChat, "files" | "meta"> & Partial<Pick<StoredChat, "files" | "meta">>;

/**
 * `ctx.chat` in memory for the test harness: the server's methods (`chat.get`, `chat.setTitle`,
 * `chat.meta.*`) over one chat, or none (then `get()` is `null` and writes fail with `NOT_FOUND`,
 * as for an API call without a chat). Not the server's size caps.
 *
 * @example
 * const chat = createTestChat({ id: "c1", title: "Trip", messages: [] });
 * await chat.serve({ method: "chat.setTitle", args: ["Lisbon"] });
 */
export function createTestChat(initial: TestChat | null | undefined) {
  const chat: StoredChat | null = initial ? structuredClone({ files: [], meta: {}, ...initial }) : null;
  const requireChat = (label: string): StoredChat => {
    if (!chat) throw new SluiceError("NOT_FOUND", `${label} needs a stored chat, and this call has none (pass the chat option)`);
    return chat;
  };
  return {
    /** Answers one `chat.*` call of the service channel; throws a SluiceError as the server would. */
    async serve(request: HostServeRequest): Promise<unknown> {
      const [key, value] = request.args as [string, unknown];
      switch (request.method) {
        case "chat.get":
          return chat && structuredClone(chat);
        case "chat.setTitle": {
          const title = String(key).trim();
          if (title === "") throw new SluiceError("INVALID_INPUT", "ctx.chat.setTitle: a title must not be empty");
          requireChat("ctx.chat.setTitle").title = title;
          return null;
        }
        case "chat.meta.get":
          return chat && Object.hasOwn(chat.meta, key) ? { value: structuredClone(chat.meta[key]) } : null;
        case "chat.meta.set":
          requireChat("ctx.chat.meta.set").meta[key] = structuredClone(value ?? null);
          return null;
        case "chat.meta.delete": {
          if (!chat || !Object.hasOwn(chat.meta, key)) return false;
          delete chat.meta[key];
          return true;
        }
        default:
          throw new SluiceError("INVALID_INPUT", `The test harness has no host method "${request.method}"`);
      }
    },
    /** The chat as it is now (title and meta as the plugin left them), or null. */
    snapshot(): StoredChat | null {
      return chat && structuredClone(chat);
    },
  };
}
