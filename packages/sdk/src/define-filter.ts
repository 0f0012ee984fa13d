import type { ChatBody, OutletBody } from "./chat-body.ts";
import type { PluginContext } from "./plugin-context.ts";
import type { StreamEvent } from "./stream-event.ts";
import type { Awaitable, InferValves, ValvesSchema } from "./valves-schema.ts";

/**
 * What {@link defineFilter} takes. Each hook's return value replaces the data; returning
 * nothing (`undefined`) leaves it unchanged; `stream` returning `null` drops the chunk.
 *
 * @example
 * const definition: FilterDefinition = { outlet: (body) => body };
 */
export interface FilterDefinition<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined> {
  /** Admin valves: a zod object schema. A `priority` number valve orders filters (lower first). */
  valves?: V;
  /** Per-user valves: a zod object schema. */
  userValves?: UV;
  /** A toggle filter runs only when the user switched it on in the chat. */
  toggle?: boolean;
  /** Icon of the toggle (a URL or a `data:` URI). */
  icon?: string;
  /**
   * The filter handles the request's attached files itself (Open WebUI's `file_handler`): the
   * server then leaves them out of the model's messages (no image parts, no extracted text), and
   * the filter reads them with `ctx.files.read` and puts in what it wants.
   */
  fileHandler?: boolean;
  /**
   * The `stream` hook reads and changes only the text of each chunk (`choices[0].delta.content`):
   * it gets `{ choices: [{ index: 0, delta: { content } }] }`, what it returns there becomes the
   * chunk's text (the rest of the chunk is kept), and chunks without text pass it by. Only the text
   * crosses into the sandbox, so such a filter costs less per chunk.
   */
  streamTextOnly?: boolean;
  /** Before the model call. Throwing aborts the turn with the error's message. */
  inlet?(body: ChatBody, ctx: PluginContext<InferValves<V>, InferValves<UV>>): Awaitable<ChatBody | void>;
  /**
   * Before every model call of the turn (each tool round, and each `ctx.models.complete` with
   * filters), with the body as it goes to the model: tools, retrieved context and tool results
   * included. Its return value is what is sent for that call (nothing: unchanged); the next call
   * starts from the turn's body again. `inlet` runs once per turn; throwing ends the turn.
   */
  request?(body: ChatBody, ctx: PluginContext<InferValves<V>, InferValves<UV>>): Awaitable<ChatBody | void>;
  /** For each streamed chunk. Return `null` to drop it. */
  stream?(event: StreamEvent, ctx: PluginContext<InferValves<V>, InferValves<UV>>): Awaitable<StreamEvent | null | void>;
  /** After the reply was saved, for browser and API callers alike. */
  outlet?(body: OutletBody, ctx: PluginContext<InferValves<V>, InferValves<UV>>): Awaitable<OutletBody | void>;
}

/**
 * A filter plugin: what {@link defineFilter} returns and the module's default export.
 *
 * @example
 * const plugin: FilterPlugin = defineFilter({ inlet: (body) => body });
 */
export type FilterPlugin<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined> = Readonly<
  FilterDefinition<V, UV> & { kind: "filter" }
>;

/**
 * Defines a filter: hooks around every model call.
 *
 * @example
 * export default defineFilter({
 *   valves: z.object({ priority: z.number().default(0), maxTurns: z.number().int().min(1).default(8) }),
 *   inlet(body, ctx) {
 *     if (body.messages.length > ctx.valves.maxTurns * 2) throw new Error("Too many turns");
 *   },
 *   stream(event) {
 *     return event.choices.length === 0 ? null : event;
 *   },
 * });
 * @example
 * // The class form, for authors coming from Open WebUI: export a class named `Filter` (or export
 * // it as default). `valves`/`userValves` are zod schemas on the instance or static; hooks are
 * // methods; prefer define* for typed `ctx.valves` without repeating the type.
 * const valves = z.object({ prefix: z.string().default("> ") });
 * export class Filter {
 *   valves = valves;
 *   toggle = true;
 *   outlet(body: OutletBody, ctx: PluginContext<InferValves<typeof valves>>) {
 *     const reply = body.messages.at(-1);
 *     if (reply && typeof reply.content === "string") reply.content = ctx.valves.prefix + reply.content;
 *     return body;
 *   }
 * }
 */
export function defineFilter<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined>(
  definition: FilterDefinition<V, UV>,
): FilterPlugin<V, UV> {
  return Object.freeze({ ...definition, kind: "filter" as const });
}
