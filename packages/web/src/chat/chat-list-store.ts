import { useSyncExternalStore } from "react";
import { errorMessage } from "../api/api-error.ts";
import { chatApi, type Folder, type Tag } from "./chat-api.ts";
import type { ChatSummary } from "./chat-types.ts";

export interface ChatListState {
  /** Every chat not archived: pinned ones and those in folders too. */
  chats: ChatSummary[];
  folders: Folder[];
  tags: Tag[];
  status: "idle" | "loading" | "ready" | "failed";
  error: string | null;
}

const EMPTY: ChatListState = { chats: [], folders: [], tags: [], status: "idle", error: null };
let state: ChatListState = EMPTY;
const listeners = new Set<() => void>();

function setState(next: ChatListState): void {
  state = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function byRecency(chats: ChatSummary[]): ChatSummary[] {
  return [...chats].sort((a, b) => b.updated_at - a.updated_at);
}

/**
 * The user's chats, folders and tags for the sidebar, shared by the sidebar and the chat page:
 * one list, changed in place when a chat is created, renamed (also by `chat:title`), pinned,
 * moved, tagged or deleted.
 */
export const chatList = {
  /** Loads the list, the folders and the tags from the server (again). */
  async refresh(): Promise<void> {
    setState({ ...state, status: state.status === "ready" ? "ready" : "loading", error: null });
    try {
      const [chats, folders, tags] = await Promise.all([chatApi.list(), chatApi.folders(), chatApi.tags()]);
      setState({ chats: byRecency(chats), folders, tags, status: "ready", error: null });
    } catch (error) {
      setState({ ...state, status: "failed", error: errorMessage(error) });
    }
  },
  /** Adds or updates a chat (keeping what the update leaves out) and sorts it by recency. */
  upsert(chat: ChatSummary): void {
    const existing = state.chats.find((candidate) => candidate.id === chat.id);
    setState({ ...state, chats: byRecency([{ ...existing, ...chat }, ...state.chats.filter((candidate) => candidate.id !== chat.id)]) });
  },
  /** Changes some fields of a listed chat. */
  patch(id: string, changes: Partial<ChatSummary>): void {
    setState({ ...state, chats: state.chats.map((chat) => (chat.id === id ? { ...chat, ...changes } : chat)) });
  },
  rename(id: string, title: string): void {
    chatList.patch(id, { title });
  },
  remove(id: string): void {
    setState({ ...state, chats: state.chats.filter((chat) => chat.id !== id) });
  },
  setFolders(folders: Folder[]): void {
    setState({ ...state, folders });
  },
  /** Changes some fields of a listed folder. */
  patchFolder(id: string, changes: Partial<Folder>): void {
    setState({ ...state, folders: state.folders.map((folder) => (folder.id === id ? { ...folder, ...changes } : folder)) });
  },
  setTags(tags: Tag[]): void {
    setState({ ...state, tags });
  },
  /** Forgets everything (sign out). */
  clear(): void {
    setState(EMPTY);
  },
  get(): ChatListState {
    return state;
  },
};

/** The chat list, re-rendering on change. */
export function useChatList(): ChatListState {
  return useSyncExternalStore(
    subscribe,
    () => state,
    () => state,
  );
}
