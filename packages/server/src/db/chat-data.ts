import { z } from "zod";

const objectList = z.array(z.looseObject({}));

/** A message's content: text, or OpenAI's list of parts, kept as it came. */
const messageContent = z.union([z.string(), z.array(z.looseObject({ type: z.string().min(1) }))]);

/**
 * One message of a stored chat, Open WebUI's shape. Unknown keys (`childrenIds`, `models`,
 * `code_executions`, …) are kept as they are.
 */
export const chatMessageSchema = z.looseObject({
  id: z.string().min(1),
  parentId: z.string().nullable().optional(),
  childrenIds: z.array(z.string()).optional(),
  role: z.string().min(1),
  // A string, or OpenAI's list of parts (`[{type: "text", text}, {type: "image_url", image_url}]`),
  // stored and returned as it came.
  content: messageContent.nullish().transform((content) => content ?? ""),
  model: z.string().nullish(),
  /** Epoch seconds. */
  timestamp: z.number().nullish(),
  /** `status` events, in the order they came. */
  statusHistory: objectList.optional(),
  /** Citations (`source` / `citation` events without a `type`). */
  sources: objectList.optional(),
  files: objectList.optional(),
  embeds: z.array(z.unknown()).optional(),
  /** Questions the user may ask next (`chat:message:follow_ups`), shown as buttons. */
  followUps: z.array(z.string()).optional(),
  done: z.boolean().optional(),
  error: z.unknown().optional(),
  originalContent: messageContent.nullish(),
  usage: z.record(z.string(), z.unknown()).nullish(),
});

export type ChatMessageRecord = z.output<typeof chatMessageSchema>;

/** A message to store: like {@link ChatMessageRecord}, with `content` optional (stored as ""). */
export type ChatMessageUpdate = z.input<typeof chatMessageSchema>;

/** The message tree the web client keeps: every message by id, and the one on screen. */
export const chatHistorySchema = z.looseObject({
  messages: z.record(z.string(), chatMessageSchema).default({}),
  currentId: z.string().nullable().default(null),
});

/**
 * A chat's JSON (`chat` column), Open WebUI's shape: the title, the models, the messages of the
 * current branch in order and, from the web client, the whole `history` tree. Unknown keys survive.
 */
export const chatDataSchema = z.looseObject({
  title: z.string().default("New Chat"),
  models: z.array(z.string()).optional(),
  messages: z.array(chatMessageSchema).default([]),
  history: chatHistorySchema.optional(),
});

export type ChatData = z.output<typeof chatDataSchema>;

/** What `POST /api/v1/chats/{id}` may send: the named fields replace the stored ones. */
export const chatChangesSchema = z.looseObject({
  title: z.string().optional(),
  models: z.array(z.string()).optional(),
  messages: z.array(chatMessageSchema).optional(),
  history: chatHistorySchema.optional(),
});

export type ChatChanges = z.output<typeof chatChangesSchema>;

/** Temporary chats (`local:…`) live only in the browser: they are never stored. */
export function isTemporaryChatId(chatId: string): boolean {
  return chatId.startsWith("local:");
}
