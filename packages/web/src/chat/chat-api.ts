import { api, requestJson } from "../api/api-client.ts";
import type { ChatData, ChatModel, ChatRecord, ChatSummary } from "./chat-types.ts";

/** A folder of chats (`/api/v1/folders/`, Open WebUI's shape). */
export interface Folder {
  id: string;
  parent_id: string | null;
  name: string;
  is_expanded: boolean;
  created_at: number;
  updated_at: number;
}

/** A user's tag; `id` is the name lower-cased with spaces as underscores. */
export interface Tag {
  id: string;
  name: string;
}

/** One chat of Open WebUI's `POST /api/v1/chats/import`. */
export interface ChatImport {
  chat: unknown;
  meta?: unknown;
  pinned?: boolean;
  folder_id?: string | null;
  created_at?: number | null;
  updated_at?: number | null;
}

const chatPath = (id: string) => `/api/v1/chats/${encodeURIComponent(id)}`;
const folderPath = (id: string) => `/api/v1/folders/${encodeURIComponent(id)}`;

/** The chat endpoints the chat page and its sidebar use (docs/api.md "Chats"). */
export const chatApi = {
  /** Every chat not archived, pinned ones and those in folders included. */
  list: () => api.get<ChatSummary[]>("/api/v1/chats/?include_pinned=true&include_folders=true"),
  /** Title or message content; `tag:<id>` words filter by tag. */
  search: (text: string) => api.get<ChatSummary[]>(`/api/v1/chats/search?text=${encodeURIComponent(text)}`),
  archived: () => api.get<ChatSummary[]>("/api/v1/chats/archived"),
  /** Toggles. */
  togglePin: (id: string) => api.post<ChatRecord>(`${chatPath(id)}/pin`),
  /** Toggles. */
  toggleArchive: (id: string) => api.post<ChatRecord>(`${chatPath(id)}/archive`),
  moveToFolder: (id: string, folderId: string | null) => api.post<ChatRecord>(`${chatPath(id)}/folder`, { folder_id: folderId }),
  tags: () => api.get<Tag[]>("/api/v1/chats/all/tags"),
  addTag: (id: string, name: string) => api.post<Tag[]>(`${chatPath(id)}/tags`, { name }),
  removeTag: (id: string, name: string) => requestJson<Tag[]>(`${chatPath(id)}/tags`, { method: "DELETE", body: { name } }),
  importChats: (chats: ChatImport[]) => api.post<ChatRecord[]>("/api/v1/chats/import", { chats }),
  folders: () => api.get<Folder[]>("/api/v1/folders/"),
  /** At the top level, or inside the folder `parentId`. */
  createFolder: (name: string, parentId: string | null = null) => api.post<Folder>("/api/v1/folders/", { name, parent_id: parentId }),
  renameFolder: (id: string, name: string) => api.post<Folder>(`${folderPath(id)}/update`, { name }),
  /** Into another folder, or to the top level (`null`); never into itself or a folder under it (400). */
  moveFolder: (id: string, parentId: string | null) => api.post<Folder>(`${folderPath(id)}/update/parent`, { parent_id: parentId }),
  setFolderExpanded: (id: string, isExpanded: boolean) =>
    api.post<Folder>(`${folderPath(id)}/update/expanded`, { is_expanded: isExpanded }),
  /** With the folders under it; their chats are deleted too when `deleteContents`, else they move back to the list. */
  deleteFolder: (id: string, deleteContents: boolean) => api.delete<boolean>(`${folderPath(id)}?delete_contents=${deleteContents}`),
  /** The chats of a folder and of the folders under it, whole: Open WebUI's folder export. */
  folderChats: (id: string) => api.get<ChatRecord[]>(`/api/v1/chats/folder/${encodeURIComponent(id)}`),
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
