/**
 * Open WebUI's chat shapes, as `/api/v1/chats` stores and answers them and the chat page keeps
 * them; `/api/models` and the socket's `events` channel. Declared once for the server and the web.
 */

/** One `status` event: a progress line above an answer. */
export interface StatusEntry {
  description?: string;
  done?: boolean;
  hidden?: boolean;
  action?: string;
  urls?: string[];
  queries?: string[];
  error?: boolean;
  [key: string]: unknown;
}

/** A `source` / `citation` event's data. */
export interface SourceEntry {
  source?: { name?: string; id?: string; url?: string; [key: string]: unknown };
  document?: string[];
  metadata?: Array<{ source?: string; name?: string; url?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** A file attached to a message by a plugin (`files` event). */
export interface FileEntry {
  type?: string;
  id?: string;
  url?: string;
  name?: string;
  [key: string]: unknown;
}

/** A tool call the server ran during an answer (`chat:message:tool_call` events), by its call id. */
export interface ToolCallEntry {
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text). */
  arguments?: string;
  /** False while the tool runs. */
  done?: boolean;
  /** What the tool returned (or `Error: …`), as the model reads it. */
  result?: string;
  /** True when the tool failed. */
  error?: boolean;
  [key: string]: unknown;
}

/** One part of OpenAI's list form of a message's content. */
export interface MessageContentPart {
  type: "text" | "image_url" | string;
  text?: string;
  image_url?: { url: string; detail?: string };
  [key: string]: unknown;
}

export interface ChatMessage {
  id: string;
  /** Set by Open WebUI's and Sluice's web clients; a message stored through the API may lack them. */
  parentId?: string | null;
  childrenIds?: string[];
  role: "user" | "assistant" | "system" | string;
  /** Text, or OpenAI's list of parts (`[{type: "text", text}, {type: "image_url", image_url}]`), stored as it came. */
  content: string | MessageContentPart[];
  model?: string | null;
  /** Epoch seconds. */
  timestamp?: number | null;
  /** False while the answer streams in. */
  done?: boolean;
  statusHistory?: StatusEntry[];
  sources?: SourceEntry[];
  files?: FileEntry[];
  /** Tool calls the server ran for this answer, in the order they started. */
  toolCalls?: ToolCallEntry[];
  /** HTML strings or https URLs from plugins' `embeds` events, shown in sandboxed frames. */
  embeds?: unknown[];
  /** Questions to ask next, from `chat:message:follow_ups`. */
  followUps?: unknown[];
  /** What went wrong: usually `{content}` (Open WebUI's shape) or a string; clients may store others. */
  error?: unknown;
  /** The answer as the model gave it, before an outlet filter or an action changed it. */
  originalContent?: string | MessageContentPart[] | null;
  usage?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** The message tree: every message by id, and the last message of the branch on screen. */
export interface MessageTree {
  messages: Record<string, ChatMessage>;
  currentId: string | null;
}

/** The `chat` JSON of a stored chat. */
export interface ChatData {
  title: string;
  models?: string[];
  messages: ChatMessage[];
  history?: MessageTree;
  [key: string]: unknown;
}

/** A row of `/api/v1/chats/{id}`. */
export interface ChatRecord {
  id: string;
  user_id: string;
  title: string;
  chat: ChatData;
  archived: boolean;
  /** Open WebUI's: pinned chats are listed on top. */
  pinned?: boolean;
  /** The folder holding the chat, or null. */
  folder_id?: string | null;
  /** `{ tags: [tag id, …] }` and whatever else Open WebUI keeps there. */
  meta?: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

/** A row of the chat list. */
export interface ChatSummary {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  pinned?: boolean;
  folder_id?: string | null;
  /** The chat's tag ids (`meta.tags`). */
  tags?: string[];
}

/** An action button of a model (`/api/models`). */
export interface ModelAction {
  id: string;
  name: string;
  description?: string;
  icon?: string | null;
}

/** A toggleable filter of a model (`/api/models`). */
export interface ModelFilter {
  id: string;
  name: string;
  description?: string;
  icon?: string | null;
  has_user_valves?: boolean;
}

/** A model of `/api/models`. */
export interface ChatModel {
  id: string;
  name: string;
  owned_by?: string;
  pipe?: { type: string };
  info?: {
    meta?: {
      description?: string | null;
      filterIds?: string[];
      defaultFilterIds?: string[];
      actionIds?: string[];
      toolIds?: string[];
      /** What the model can do, by name (Open WebUI's `capabilities`); `vision` absent counts as true. */
      capabilities?: { vision?: boolean; [key: string]: unknown };
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  actions?: ModelAction[];
  filters?: ModelFilter[];
}

/** What the server sends on socket channel `events`. */
export interface EventEnvelope {
  chat_id: string | null;
  message_id: string | null;
  data: { type: string; data?: unknown };
}
