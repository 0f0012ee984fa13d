import type { ChatMessage, FileEntry, MessageTree, SourceEntry, StatusEntry, ToolCallEntry } from "./chat-types.ts";
import type { CompletionUpdate } from "./stream-chat-completion.ts";
import { updateMessage } from "./message-tree.ts";

type Event = { type: string; data?: unknown };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function textOf(data: unknown): string | undefined {
  return isRecord(data) && typeof data.content === "string" ? data.content : undefined;
}

function fileKey(file: FileEntry): string {
  return typeof file.id === "string" ? `id:${file.id}` : typeof file.url === "string" ? `url:${file.url}` : JSON.stringify(file);
}

/** New files first; an older entry with the same id or url is replaced (as the server stores them). */
function mergeFiles(stored: FileEntry[] = [], added: FileEntry[]): FileEntry[] {
  const addedKeys = new Set(added.map(fileKey));
  return [...added, ...stored.filter((file) => !addedKeys.has(fileKey(file)))];
}

/** A tool call's result replaces its start (same `id`) in place; a new call goes last. */
function mergeToolCall(stored: ToolCallEntry[] = [], call: ToolCallEntry): ToolCallEntry[] {
  const index = stored.findIndex((candidate) => candidate.id === call.id);
  return index < 0 ? [...stored, call] : stored.map((candidate, position) => (position === index ? call : candidate));
}

function errorOf(value: unknown): ChatMessage["error"] {
  if (typeof value === "string") return { content: value };
  if (isRecord(value))
    return {
      ...value,
      content: typeof value.content === "string" ? value.content : typeof value.detail === "string" ? value.detail : JSON.stringify(value),
    };
  return { content: "Something went wrong" };
}

export interface ApplyOptions {
  /** This tab is streaming this answer over SSE: `chat:completion` snapshots (other tabs' view) are skipped until `done`. */
  isStreamingHere?: boolean;
}

/**
 * A plugin event's effect on its message: `status` lines, `message` /
 * `replace` content, `files`, `source` / `citation`, `embeds`, follow-ups, `chat:message:tool_call`
 * (a tool call, then its result), `chat:completion` snapshots
 * (authoritative once `done`), `chat:message:error`. Other types leave the message unchanged.
 *
 * @example
 * applyChatEvent(message, { type: "status", data: { description: "Searching…", done: false } });
 */
export function applyChatEvent(message: ChatMessage, event: Event, options: ApplyOptions = {}): ChatMessage {
  const { data } = event;
  switch (event.type) {
    case "status":
      return isRecord(data) ? { ...message, statusHistory: [...(message.statusHistory ?? []), data as StatusEntry] } : message;
    case "message":
    case "chat:message:delta": {
      const content = textOf(data);
      return content === undefined ? message : { ...message, content: message.content + content };
    }
    case "replace":
    case "chat:message": {
      const content = textOf(data);
      return content === undefined ? message : { ...message, content };
    }
    case "files":
    case "chat:message:files":
      return isRecord(data) && Array.isArray(data.files)
        ? { ...message, files: mergeFiles(message.files, data.files as FileEntry[]) }
        : message;
    case "source":
    case "citation":
      // Typed sources (code execution results) are not citations.
      return isRecord(data) && data.type === undefined
        ? { ...message, sources: [...(message.sources ?? []), data as SourceEntry] }
        : message;
    case "embeds":
    case "chat:message:embeds":
      return isRecord(data) && Array.isArray(data.embeds)
        ? { ...message, embeds: data.replace ? data.embeds : [...data.embeds, ...(message.embeds ?? [])] }
        : message;
    case "chat:message:follow_ups":
      return isRecord(data) && Array.isArray(data.follow_ups)
        ? { ...message, followUps: data.follow_ups.filter((question) => typeof question === "string") }
        : message;
    case "chat:message:tool_call":
      return isRecord(data) && typeof data.id === "string" && typeof data.name === "string"
        ? { ...message, toolCalls: mergeToolCall(message.toolCalls, data as ToolCallEntry) }
        : message;
    case "chat:message:error":
      return isRecord(data) ? { ...message, error: errorOf(data.error), done: true } : message;
    case "chat:completion":
      return applyCompletionSnapshot(message, data, options);
    default:
      return message;
  }
}

function applyCompletionSnapshot(message: ChatMessage, data: unknown, options: ApplyOptions): ChatMessage {
  if (!isRecord(data)) return message;
  let next = message;
  const isDone = data.done === true;
  if (typeof data.content === "string" && (isDone || !options.isStreamingHere) && !(message.done && !isDone)) {
    next = { ...next, content: data.content };
  }
  if (data.error !== undefined && data.error !== null) next = { ...next, error: errorOf(data.error) };
  if (isRecord(data.usage)) next = { ...next, usage: data.usage };
  if (Array.isArray(data.sources)) next = { ...next, sources: data.sources as SourceEntry[] };
  if (isDone) next = { ...next, done: true };
  return next;
}

/**
 * An SSE update's effect on the answer being streamed: deltas append until the answer is done
 * (reasoning deltas go to `reasoningContent`, timed from the first one to the first text)
 * (once a `chat:completion` with `done` or an outlet set the final text, late deltas are
 * dropped), usage is kept, an error chunk becomes the message's error.
 */
export function applyCompletionUpdate(message: ChatMessage, update: CompletionUpdate): ChatMessage {
  switch (update.type) {
    case "delta": {
      if (message.done) return message;
      // The first text after the reasoning ends the thinking time.
      const hasThoughtUntilNow = typeof message.reasoningStartedAt === "number" && message.reasoningEndedAt === undefined;
      return { ...message, content: message.content + update.content, ...(hasThoughtUntilNow ? { reasoningEndedAt: Date.now() } : {}) };
    }
    case "reasoning":
      return message.done
        ? message
        : {
            ...message,
            reasoningContent: `${typeof message.reasoningContent === "string" ? message.reasoningContent : ""}${update.content}`,
            reasoningStartedAt: typeof message.reasoningStartedAt === "number" ? message.reasoningStartedAt : Date.now(),
          };
    case "usage":
      return { ...message, usage: update.usage };
    case "error":
      return { ...message, error: { content: update.detail, ...(update.pluginId ? { plugin_id: update.pluginId } : {}) } };
  }
}

/** Merges changed messages (by id) into the tree, keeping each one's first `originalContent`. */
export function mergeMessages(tree: MessageTree, changes: unknown[]): MessageTree {
  let next = tree;
  for (const change of changes) {
    if (!isRecord(change) || typeof change.id !== "string") continue;
    next = updateMessage(next, change.id, (message) => {
      const content = typeof change.content === "string" ? change.content : message.content;
      const originalContent = message.originalContent ?? (content !== message.content ? message.content : undefined);
      return {
        ...message,
        ...change,
        id: message.id,
        parentId: message.parentId,
        childrenIds: message.childrenIds,
        role: message.role,
        content,
        ...(originalContent !== undefined ? { originalContent } : {}),
      };
    });
  }
  return next;
}

/**
 * A socket event's effect on the visible chat's tree: `chat:outlet` patches the messages it
 * names and ends the answer; other events change their `message_id`'s message.
 */
export function applyEnvelopeToTree(tree: MessageTree, messageId: string | null, event: Event, options: ApplyOptions = {}): MessageTree {
  if (event.type === "chat:outlet") {
    const changes = isRecord(event.data) && Array.isArray(event.data.messages) ? event.data.messages : [];
    const merged = mergeMessages(tree, changes);
    return messageId ? updateMessage(merged, messageId, (message) => (message.done ? message : { ...message, done: true })) : merged;
  }
  if (!messageId) return tree;
  return updateMessage(tree, messageId, (message) => applyChatEvent(message, event, options));
}

/**
 * What an action returned, applied as Open WebUI's browser does: `{messages: [{id, …}]}` merges
 * each message by id; `{content}` replaces the pressed message's content. Anything else is ignored.
 */
export function applyActionResult(tree: MessageTree, messageId: string, result: unknown): MessageTree {
  if (!isRecord(result)) return tree;
  if (Array.isArray(result.messages)) return mergeMessages(tree, result.messages);
  if (typeof result.content === "string") return mergeMessages(tree, [{ id: messageId, content: result.content }]);
  return tree;
}
