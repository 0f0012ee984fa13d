import { api } from "../api/api-client.ts";
import type { ChatData, ChatModel, ChatRecord, ChatSummary } from "./chat-types.ts";

/** The chat endpoints the chat page and its sidebar use (docs/api.md "Chats"). */
export const chatApi = {
  list: () => api.get<ChatSummary[]>("/api/v1/chats/"),
  get: (id: string) => api.get<ChatRecord>(`/api/v1/chats/${encodeURIComponent(id)}`),
  create: (chat: Partial<ChatData>) => api.post<ChatRecord>("/api/v1/chats/new", { chat }),
  /** Each field named replaces the stored one; `title` renames. */
  update: (id: string, chat: Partial<ChatData>) => api.post<ChatRecord>(`/api/v1/chats/${encodeURIComponent(id)}`, { chat }),
  remove: (id: string) => api.delete<boolean>(`/api/v1/chats/${encodeURIComponent(id)}`),
  models: async () => (await api.get<{ data: ChatModel[] }>("/api/models")).data,
  /** The ids of the chat's answers still being generated (Open WebUI's tasks: the answers' message ids). */
  tasks: async (chatId: string) => (await api.get<{ task_ids: string[] }>(`/api/tasks/chat/${encodeURIComponent(chatId)}`)).task_ids,
  /** Stops an answer in progress, from any tab. */
  stopTask: (taskId: string) => api.post<unknown>(`/api/tasks/stop/${encodeURIComponent(taskId)}`, {}),
  runAction: (actionId: string, body: Record<string, unknown>) =>
    api.post<unknown>(`/api/chat/actions/${encodeURIComponent(actionId)}`, body),
};
