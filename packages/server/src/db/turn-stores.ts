import type { Kysely } from "kysely";
import type { ChatStore, ModelStore, PluginStore, StoredMessage } from "../core/ports.ts";
import type { ChatMessageUpdate } from "./chat-data.ts";
import { findChat, updateChatMessage, updateChatTitle } from "./chats-repository.ts";
import { findFunction, listFunctions } from "./functions-repository.ts";
import { findModel, listModels } from "./models-repository.ts";
import type { Database } from "./schema.ts";
import { readThrough } from "./table-changes.ts";
import { findTool } from "./tools-repository.ts";

/** The chat pipeline's stores (see `core/ports.ts`) over the database. */
export function createTurnStores(db: Kysely<Database>): { chats: ChatStore; pluginStore: PluginStore; models: ModelStore } {
  return {
    chats: {
      async findChat(userId, chatId) {
        const chat = await findChat(db, userId, chatId);
        return chat ? { title: chat.title, messages: chat.chat.messages } : undefined;
      },
      updateMessage: (chatId, messageId, update) =>
        updateChatMessage(db, chatId, messageId, (message) => update(message) as ChatMessageUpdate | undefined) as Promise<
          StoredMessage | undefined
        >,
      async updateTitle(userId, chatId, title) {
        await updateChatTitle(db, userId, chatId, title);
      },
    },
    // Read on every chat request: cached until the table is written (db/table-changes.ts).
    pluginStore: {
      listFunctions: () => readThrough(db, "functions", ["function"], () => listFunctions(db)),
      findFunction: (id) => readThrough(db, `function:${id}`, ["function"], () => findFunction(db, id)),
      findTool: (id) => readThrough(db, `tool:${id}`, ["tool"], () => findTool(db, id)),
    },
    models: {
      listModels: () => readThrough(db, "models", ["model"], () => listModels(db)),
      findModel: (id) => readThrough(db, `model:${id}`, ["model"], () => findModel(db, id)),
    },
  };
}
