import { useSyncExternalStore } from "react";
import { errorMessage } from "../api/api-error.ts";
import { chatApi } from "./chat-api.ts";
import type { ChatSummary } from "./chat-types.ts";

export interface ChatListState {
  chats: ChatSummary[];
  status: "idle" | "loading" | "ready" | "failed";
  error: string | null;
}

let state: ChatListState = { chats: [], status: "idle", error: null };
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
 * The user's chats for the sidebar, shared by the sidebar and the chat page: one list, changed
 * in place when a chat is created, renamed (also by `chat:title`), or deleted.
 */
export const chatList = {
  /** Loads the list from the server (again). */
  async refresh(): Promise<void> {
    setState({ ...state, status: state.status === "ready" ? "ready" : "loading", error: null });
    try {
      setState({ chats: byRecency(await chatApi.list()), status: "ready", error: null });
    } catch (error) {
      setState({ ...state, status: "failed", error: errorMessage(error) });
    }
  },
  /** Adds or updates a chat and moves it to the top. */
  upsert(chat: ChatSummary): void {
    setState({ ...state, chats: byRecency([chat, ...state.chats.filter((candidate) => candidate.id !== chat.id)]) });
  },
  rename(id: string, title: string): void {
    setState({ ...state, chats: state.chats.map((chat) => (chat.id === id ? { ...chat, title } : chat)) });
  },
  remove(id: string): void {
    setState({ ...state, chats: state.chats.filter((chat) => chat.id !== id) });
  },
  /** Forgets everything (sign out). */
  clear(): void {
    setState({ chats: [], status: "idle", error: null });
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
