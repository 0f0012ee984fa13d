/**
 * One part of a multimodal message content (OpenAI format).
 *
 * @example
 * const part: ChatContentPart = { type: "image_url", image_url: { url: "data:image/png;base64,…" } };
 */
export type ChatContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: "auto" | "low" | "high" } }
  | { type: string; [key: string]: unknown };

/**
 * A tool call requested by the model (OpenAI format).
 *
 * @example
 * const call: ToolCall = { id: "call_1", type: "function", function: { name: "search", arguments: "{\"query\":\"x\"}" } };
 */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/**
 * One chat message: OpenAI's fields plus the ones Open WebUI adds (`id`, `timestamp`, `info`, …).
 *
 * @example
 * const last = body.messages.at(-1);
 * if (last?.role === "user" && typeof last.content === "string") last.content = last.content.trim();
 */
export interface ChatMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool" | (string & {});
  content: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Open WebUI message id (in outlet and action bodies). */
  id?: string;
  timestamp?: number;
  info?: Record<string, unknown>;
  sources?: unknown[];
  [key: string]: unknown;
}

/**
 * A file attached to a chat or message, as Open WebUI describes it.
 *
 * @example
 * const names = ctx.files.map((file: FileReference) => file.name);
 */
export interface FileReference {
  type?: string;
  id?: string;
  name?: string;
  url?: string;
  [key: string]: unknown;
}

/**
 * The chat request a pipe or an inlet filter receives: an OpenAI chat completion request plus
 * Open WebUI's fields. Keys an inlet adds are forwarded to the model.
 *
 * @example
 * inlet(body: ChatBody) {
 *   body.messages.unshift({ role: "system", content: "Answer briefly." });
 *   return body;
 * }
 */
export interface ChatBody {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  temperature?: number;
  max_tokens?: number;
  tools?: Array<{ type: "function"; function: { name: string; description?: string; parameters?: unknown } }>;
  tool_choice?: unknown;
  /** Open WebUI: the chat, the assistant message and the browser session. */
  chat_id?: string;
  id?: string;
  session_id?: string | null;
  filter_ids?: string[];
  tool_ids?: string[];
  files?: FileReference[];
  features?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The body an outlet filter receives after the reply: the conversation branch ending with the
 * assistant message.
 *
 * @example
 * outlet(body: OutletBody) {
 *   const reply = body.messages.at(-1);
 *   if (reply && typeof reply.content === "string") reply.content += "\n\n— checked";
 *   return body;
 * }
 */
export interface OutletBody {
  model: string;
  messages: ChatMessage[];
  chat_id?: string;
  session_id?: string | null;
  id?: string;
  filter_ids?: string[];
  [key: string]: unknown;
}

/**
 * The body an action receives when its button is pressed under a message.
 *
 * @example
 * action(body: ActionBody) {
 *   return { messages: [{ id: body.id, content: "Rewritten" }] };
 * }
 */
export interface ActionBody {
  model: string;
  messages: ChatMessage[];
  /** Id of the message whose button was pressed. */
  id: string;
  chat_id?: string;
  session_id?: string | null;
  event?: unknown;
  model_item?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A complete (non-streaming) OpenAI chat completion, one of the values a pipe may return.
 *
 * @example
 * const completion: ChatCompletion = {
 *   id: "c1", object: "chat.completion", created: 0, model: "echo",
 *   choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
 * };
 */
export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{ index: number; message: ChatMessage; finish_reason: string | null }>;
  usage?: Record<string, unknown>;
  [key: string]: unknown;
}
