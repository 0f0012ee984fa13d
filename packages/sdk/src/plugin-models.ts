import type { ChatCompletion, ChatMessage } from "./chat-body.ts";
import type { StreamEvent } from "./stream-event.ts";

/**
 * A model the requesting user may chat with, as `ctx.models.list()` answers it.
 *
 * @example
 * const model: ModelSummary = { id: "gpt-4o-mini", name: "GPT-4o mini", owned_by: "openai", meta: {} };
 */
export interface ModelSummary {
  id: string;
  name: string;
  /** `"sluice"` for pipes; the upstream's `owned_by` otherwise. */
  owned_by: string;
  /** The model's settings (`meta` of its row: description, filterIds, …); `{}` when it has none. */
  meta: Record<string, unknown>;
}

/**
 * An OpenAI chat request for `ctx.models.complete`, with Open WebUI's `filter_ids` and
 * `tool_ids` if wanted. A model call belongs to no chat: `chat_id`, `id` and `session_id` are ignored.
 *
 * @example
 * const request: ModelRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], temperature: 0 };
 */
export interface ModelRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  temperature?: number;
  max_tokens?: number;
  filter_ids?: string[];
  tool_ids?: string[];
  [key: string]: unknown;
}

/**
 * Options of `ctx.models.complete`.
 *
 * @example
 * await ctx.models.complete(request, { filters: false });
 */
export interface CompleteOptions {
  /**
   * Run the target model's filters (`inlet`, `request`, `stream`, `outlet`) as a normal call
   * would: `true` by default; `false` skips them (Open WebUI's `bypass_filter`).
   */
  filters?: boolean;
}

/**
 * The answer of a streamed model call: its `chat.completion.chunk`s as the model sends them.
 * Stopping early (`break`) closes the call.
 *
 * @example
 * for await (const chunk of stream) yield chunk.choices[0]?.delta.content ?? "";
 */
export type ModelStream = AsyncIterable<StreamEvent>;

/**
 * `ctx.models`: the models on this server, called through Sluice's own pipeline as `ctx.user`
 * (their access, the model's filters, tools and pipe), as a client's request would be. Calls
 * nest (a pipe may call a model whose pipe calls another) up to `PLUGIN_MODEL_CALL_MAX_DEPTH`
 * (3); past it the call fails instead of looping. A call ends at the latest with the hook that
 * made it; while it runs, the hook's own time limit does not count.
 *
 * @example
 * const reply = await ctx.models.complete({ model: ctx.models.task ?? "gpt-4o-mini", messages: [{ role: "user", content: "Summarise: …" }] });
 * const text = reply.choices[0]?.message.content;
 * @example
 * const stream = await ctx.models.complete({ model: "gpt-4o-mini", messages: body.messages, stream: true });
 * for await (const chunk of stream) yield chunk;
 */
export interface PluginModels {
  /** The models the user may use (upstream models, pipes, custom models). */
  list(): Promise<ModelSummary[]>;
  /** One chat request, answered as a `chat.completion`; a model the user may not use fails with FORBIDDEN. */
  complete(request: ModelRequest & { stream?: false }, options?: CompleteOptions): Promise<ChatCompletion>;
  /** With `stream: true`: the answer's chunks as they come. */
  complete(request: ModelRequest & { stream: true }, options?: CompleteOptions): Promise<ModelStream>;
  complete(request: ModelRequest, options?: CompleteOptions): Promise<ChatCompletion | ModelStream>;
  /** The server's task model (`TASK_MODEL`), for background work such as titles; `null` when none is set. */
  readonly task: string | null;
}
