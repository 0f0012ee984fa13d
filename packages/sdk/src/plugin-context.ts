import type { ChatMessage, FileReference } from "./chat-body.ts";
import type { PluginChat } from "./plugin-chat.ts";
import type { PluginFetch } from "./plugin-fetch.ts";
import type { RequestFiles } from "./plugin-files.ts";
import type { PluginStorageSpaces, RequestFacts } from "./plugin-storage.ts";
import type { PluginMemories } from "./plugin-memories.ts";
import type { PluginModels } from "./plugin-models.ts";
import type { PluginTools } from "./plugin-tools.ts";
import type { EmittableEvent, SluiceEvent } from "./sluice-event.ts";

/**
 * The user a hook runs for, with their user valves (validated, defaults applied, frozen).
 *
 * @example
 * if (ctx.user.role !== "admin") throw new SluiceError("FORBIDDEN", "Admins only");
 */
export interface PluginUser<UserValves = Record<string, unknown>> {
  id: string;
  name: string;
  email: string;
  role: "admin" | "user" | "pending" | (string & {});
  valves: Readonly<UserValves>;
}

/**
 * Facts about the request (Open WebUI's `__metadata__`). API callers get `chat_id` `""` and no
 * `session_id`, which is how a plugin tells them from the browser.
 *
 * @example
 * const isApiCall = !ctx.metadata.session_id;
 */
export interface PluginMetadata {
  user_id?: string;
  chat_id?: string;
  message_id?: string;
  session_id?: string | null;
  filter_ids?: string[];
  tool_ids?: string[];
  files?: FileReference[];
  features?: Record<string, unknown>;
  /** For a manifold pipe: the `id` of the entry of `pipes` that was chosen. */
  subModel?: string;
  /** Set for background tasks: `title_generation`, `tags_generation`, `query_generation`, … */
  task?: string;
  [key: string]: unknown;
}

/**
 * The model a request is for, as listed by `/api/models`.
 *
 * @example
 * const name = ctx.model?.name ?? ctx.model?.id;
 */
export interface ModelInfo {
  id: string;
  name?: string;
  [key: string]: unknown;
}

/**
 * `ctx.log`: lines for the server log, tagged with the plugin and the hook.
 *
 * @example
 * ctx.log.info("fetched", items.length, "items");
 */
export interface PluginLogger {
  debug(...values: unknown[]): void;
  info(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
}

/**
 * `ctx.signal`: aborted when the client disconnects or the call times out. The same members as
 * the web `AbortSignal` that plugins use.
 *
 * @example
 * for await (const part of source) {
 *   if (ctx.signal.aborted) break;
 *   yield part;
 * }
 */
export interface PluginAbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  onabort: ((event: { type: "abort" }) => void) | null;
  addEventListener(type: "abort", listener: (event: { type: "abort" }) => void): void;
  removeEventListener(type: "abort", listener: (event: { type: "abort" }) => void): void;
  /** Throws `reason` when aborted. */
  throwIfAborted(): void;
}

/**
 * `ctx.call`: asks the browser tab the request came from and waits for the answer (with a
 * timeout). Rejects with a `SluiceError` when there is no browser session (API callers).
 *
 * @example
 * const isSure = await ctx.call({ type: "confirmation", data: { title: "Delete?", message: "This cannot be undone." } });
 * const name = await ctx.call({ type: "input", data: { title: "Name", message: "Your name?", placeholder: "Ada" } });
 */
export interface EventCall {
  /** A yes/no dialog: `true` when the user confirmed. */
  (event: Extract<SluiceEvent, { type: "confirmation" }>): Promise<boolean>;
  /** A text input dialog: what the user typed (`""` when dismissed). */
  (event: Extract<SluiceEvent, { type: "input" }>): Promise<string>;
  /** Runs `data.code` in the user's page (only when an admin enabled it): its return value. */
  (event: Extract<SluiceEvent, { type: "execute" }>): Promise<unknown>;
  /** A custom question answered by a custom UI. */
  <Type extends string>(
    event: { type: Type; data?: unknown } & (Type extends "confirmation" | "input" | "execute" ? never : unknown),
  ): Promise<unknown>;
}

/**
 * Everything a hook receives besides its data: Open WebUI's `__x__` arguments, typed. `Valves` and
 * `UserValves` are the parsed types of the plugin's `valves` and `userValves` schemas.
 *
 * @example
 * async inlet(body, ctx) {
 *   ctx.log.info("inlet for", ctx.user.email, "chat", ctx.metadata.chat_id);
 *   await ctx.emit({ type: "status", data: { description: "Checked", done: true } });
 *   return body;
 * }
 */
export interface PluginContext<Valves = Record<string, unknown>, UserValves = Record<string, unknown>> {
  /** The plugin id (`<id>.<entry>` for a manifold pipe entry or an action entry). */
  readonly id: string;
  readonly user: PluginUser<UserValves>;
  /** Admin valves: validated, defaults applied, frozen. */
  readonly valves: Readonly<Valves>;
  readonly metadata: PluginMetadata;
  readonly model: ModelInfo | undefined;
  readonly messages: ChatMessage[];
  /**
   * The request's files (`files: [{type: "file", id}]`), and `read(id)` / `create(file)` over the
   * server's file store.
   */
  readonly files: RequestFiles;
  /** Sends an event to the user's open tabs; a no-op for API callers. */
  emit<Type extends string>(event: EmittableEvent<Type>): Promise<void>;
  readonly call: EventCall;
  readonly fetch: PluginFetch;
  readonly log: PluginLogger;
  readonly signal: PluginAbortSignal;
  /** Key/value storage in the server's database: the plugin's own, and `.user` per requesting user. */
  readonly storage: PluginStorageSpaces;
  /** The requesting user's memories (Open WebUI's memories): list, add, update, delete, query. */
  readonly memories: PluginMemories;
  /** The server's models, called through its own pipeline as `ctx.user`: list, complete, and the task model. */
  readonly models: PluginModels;
  /**
   * Keeps work going after the hook returns (a memory writer, an indexer): the answer does not
   * wait for it, while `ctx.emit`, `ctx.storage`, `ctx.fetch` and the rest keep working for it and
   * the plugin is not unloaded under it. Bounded by the server's `PLUGIN_WAIT_UNTIL_MS` (then
   * `ctx.signal` aborts and the work is cut); a rejection is logged on the server.
   *
   * @example
   * async outlet(body, ctx) {
   *   ctx.waitUntil(ctx.storage.user.set("last-answer", body.messages.at(-1)?.content ?? ""));
   *   return body;
   * }
   */
  waitUntil(work: Promise<unknown>): void;
  /** The request's tools, to list and call (an agent pipe's own tool loop); see {@link PluginTools} for where they are known. */
  readonly tools: PluginTools;
  /** Facts of the HTTP request that started the turn; `null` when none did (a background task). */
  readonly request: RequestFacts | null;
  /** The stored chat of the request (the requester's own): `get()`, `setTitle`, and the plugin's `meta` on it. */
  readonly chat: PluginChat;
}

/**
 * The context of a manifold's `pipes(ctx)` function: as {@link PluginContext}, but the model list
 * may be requested without a user.
 *
 * @example
 * pipes: async (ctx: PipesContext) => [{ id: "small", name: ctx.valves.prefix + "small" }],
 */
export type PipesContext<Valves = Record<string, unknown>, UserValves = Record<string, unknown>> = Omit<
  PluginContext<Valves, UserValves>,
  "user"
> & { readonly user: PluginUser<UserValves> | null };
