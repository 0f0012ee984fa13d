import type { Kysely } from "kysely";
import type { ChatStore, ModelStore, PluginStore, StoredMessage } from "../core/ports.ts";
import type { ChatMessageUpdate } from "./chat-data.ts";
import { findChat, updateChatMessage, updateChatTitle } from "./chats-repository.ts";
import { findFunction, listFunctions } from "./functions-repository.ts";
import { findModel, listModels } from "./models-repository.ts";
import type { Database } from "./schema.ts";
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
    pluginStore: {
      listFunctions: () => listFunctions(db),
      findFunction: (id) => findFunction(db, id),
      findTool: (id) => findTool(db, id),
    },
    models: {
      listModels: () => listModels(db),
      findModel: (id) => findModel(db, id),
    },
  };
}
