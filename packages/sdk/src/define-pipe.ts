import type { ChatBody, ChatCompletion } from "./chat-body.ts";
import type { PipesContext, PluginContext } from "./plugin-context.ts";
import type { StreamEvent } from "./stream-event.ts";
import type { Awaitable, InferValves, ValvesSchema } from "./valves-schema.ts";

/**
 * One model of a manifold pipe; it is listed as `<plugin id>.<id>`.
 *
 * @example
 * const entry: PipeEntry = { id: "fast", name: "Fast model" };
 */
export interface PipeEntry {
  id: string;
  name: string;
}

/**
 * What `pipe` may return: the whole reply as a string, an OpenAI-shaped object (a
 * `chat.completion`), or an (async) iterable of text pieces and `chat.completion.chunk`s.
 *
 * @example
 * async *pipe(body) { yield "Hello, "; yield "world"; }
 */
export type PipeResult =
  | string
  | ChatCompletion
  | Record<string, unknown>
  | AsyncIterable<string | StreamEvent>
  | Iterable<string | StreamEvent>
  | null
  | undefined;

/**
 * What {@link definePipe} takes.
 *
 * @example
 * const definition: PipeDefinition = { pipe: (body) => "echo: " + body.messages.length };
 */
export interface PipeDefinition<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined> {
  /** Admin valves: a zod object schema. */
  valves?: V;
  /** Per-user valves: a zod object schema. */
  userValves?: UV;
  /** Makes a manifold: one model per entry. A function is called when models are listed. */
  pipes?: PipeEntry[] | ((ctx: PipesContext<InferValves<V>, InferValves<UV>>) => Awaitable<PipeEntry[]>);
  /** Answers a chat request; for a manifold `ctx.metadata.subModel` is the chosen entry's id. */
  pipe(body: ChatBody, ctx: PluginContext<InferValves<V>, InferValves<UV>>): PipeResult | Promise<PipeResult>;
}

/**
 * A pipe plugin: what {@link definePipe} returns and the module's default export.
 *
 * @example
 * const plugin: PipePlugin = definePipe({ pipe: () => "hi" });
 */
export type PipePlugin<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined> = Readonly<
  PipeDefinition<V, UV> & { kind: "pipe" }
>;

/**
 * Defines a pipe: a custom model (or, with `pipes`, several).
 *
 * @example
 * export default definePipe({
 *   valves: z.object({ greeting: z.string().default("Hello") }),
 *   pipes: [{ id: "short", name: "Short" }, { id: "long", name: "Long" }],
 *   async *pipe(body, ctx) {
 *     yield `${ctx.valves.greeting} from ${ctx.metadata.subModel}`;
 *   },
 * });
 * @example
 * // The class form: a class named `Pipe` (or the default export) with a `pipe` method and
 * // optional `valves`, `userValves` and `pipes` as instance or static properties.
 * export class Pipe {
 *   pipes = [{ id: "echo", name: "Echo" }];
 *   pipe(body: ChatBody, ctx: PluginContext) {
 *     return `${ctx.metadata.subModel}: ${body.messages.length} messages`;
 *   }
 * }
 */
export function definePipe<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined>(
  definition: PipeDefinition<V, UV>,
): PipePlugin<V, UV> {
  return Object.freeze({ ...definition, kind: "pipe" as const });
}
