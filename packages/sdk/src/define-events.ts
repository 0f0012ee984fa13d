import type { PluginContext } from "./plugin-context.ts";
import type { ServerEvent, ServerEventNameMatching, ServerEventPattern } from "./server-event.ts";
import type { Awaitable, InferValves, ValvesSchema } from "./valves-schema.ts";

/**
 * The `ctx` of an event handler: the plugin's id, valves, `fetch`, `log`, `signal`, `storage` and
 * `metadata` (`event_name`: the event's name).
 * An event has no requesting user, chat or browser tab, so there is no `ctx.user`, `ctx.call` or
 * `ctx.chat`, and `ctx.storage.user` fails; who caused the event is `event.actor`.
 *
 * @example
 * const handler = async (event: ServerEvent, ctx: EventContext) => ctx.storage.set(event.id, event.name);
 */
export type EventContext<Valves = Record<string, unknown>> = Omit<
  PluginContext<Valves>,
  // `tools` (a request's tools, in newer SDKs) too: an event has no request.
  "user" | "call" | "emit" | "messages" | "model" | "files" | "chat" | "memories" | "models" | "request" | "tools"
>;

/**
 * A handler of one name or pattern: its `event` is typed by what the pattern matches. What it
 * returns is ignored; a throw is logged on the server.
 *
 * @example
 * const onDeleted: EventHandler<"chat.deleted"> = (event, ctx) => ctx.log.info("chat gone", event.subject.id);
 */
export type EventHandler<Pattern extends string = ServerEventPattern, Valves = Record<string, unknown>> = (
  event: ServerEvent<ServerEventNameMatching<Pattern>>,
  ctx: EventContext<Valves>,
) => Awaitable<unknown>;

/**
 * What {@link defineEvents} takes: admin valves, and the handlers by event name or pattern.
 *
 * @example
 * const definition: EventsDefinition<undefined, "chat.created"> = { on: { "chat.created": () => {} } };
 */
export interface EventsDefinition<V extends ValvesSchema | undefined = undefined, P extends ServerEventPattern = ServerEventPattern> {
  /** Admin valves: a zod object schema. Event plugins have no user valves (an event has no user). */
  valves?: V;
  /** The handlers, by event name (`"chat.created"`) or pattern (`"function.*"`, `"*"`). */
  on: { [Pattern in P]: EventHandler<Pattern, InferValves<V>> };
}

/**
 * An event plugin: what {@link defineEvents} returns and the module's default export.
 *
 * @example
 * const plugin: EventsPlugin = defineEvents({ on: { "*": () => {} } });
 */
export type EventsPlugin<V extends ValvesSchema | undefined = undefined, P extends ServerEventPattern = ServerEventPattern> = Readonly<
  EventsDefinition<V, P> & { kind: "events" }
>;

/**
 * Defines an event plugin (Open WebUI's event functions): handlers of server events such as
 * `chat.created`, `message.completed` or `function.enabled` (the catalogue is
 * {@link ServerEventCatalog}), for audit logs, background sync and cleanup. Events are delivered
 * after the request that raised them, never holding it up; each handler call has the plugin's
 * time limit, and a failure is logged. Only active event plugins receive events.
 *
 * @example
 * export default defineEvents({
 *   valves: z.object({ keepDays: z.number().int().min(1).default(30) }),
 *   on: {
 *     "chat.*": async (event, ctx) => {
 *       await ctx.storage.set(`audit:${event.ts}:${event.id}`, event, { ttlSeconds: ctx.valves.keepDays * 86400 });
 *     },
 *     "function.disable_started": async (event, ctx) => ctx.log.info("switched off by", event.actor?.email),
 *   },
 * });
 * @example
 * // The class form, as Open WebUI's `class Event`: an `event(event, ctx)` method gets every
 * // event (or give an `on` map as with defineEvents).
 * export class Event {
 *   event(event: ServerEvent, ctx: EventContext) {
 *     if (event.name === "user.signed_in") ctx.log.info("signed in:", event.subject.id);
 *   }
 * }
 */
export function defineEvents<V extends ValvesSchema | undefined = undefined, const P extends ServerEventPattern = ServerEventPattern>(
  definition: EventsDefinition<V, P>,
): EventsPlugin<V, P> {
  return Object.freeze({ ...definition, kind: "events" as const });
}
