/** Open WebUI's chat shapes, declared once in `@sluice/sdk/wire` for the server and the web. */
import type { ChatMessage as StoredChatMessage } from "@sluice/sdk/wire";

export type {
  ChatData,
  ChatModel,
  ChatRecord,
  ChatSummary,
  EventEnvelope,
  FileEntry,
  MessageContentPart,
  ModelAction,
  ModelFilter,
  SourceEntry,
  StatusEntry,
  ToolCallEntry,
} from "@sluice/sdk/wire";

/** A message in the page's tree: a stored message with its links to parent and children filled in. */
export interface ChatMessage extends StoredChatMessage {
  parentId: string | null;
  childrenIds: string[];
}

/** The message tree the page keeps: every message by id, and the last message of the branch on screen. */
export interface MessageTree {
  messages: Record<string, ChatMessage>;
  currentId: string | null;
}
