import type { ActionBody, ChatMessage } from "./chat-body.ts";
import type { PluginContext } from "./plugin-context.ts";
import type { Awaitable, InferValves, ValvesSchema } from "./valves-schema.ts";

/**
 * One button of an action with several; its id is `<plugin id>.<id>`.
 *
 * @example
 * const entry: ActionEntry = { id: "summarise", name: "Summarise", icon_url: "data:image/svg+xml;base64,…" };
 */
export interface ActionEntry {
  id: string;
  name: string;
  icon_url?: string;
}

/**
 * What an action may return. `{ messages: [{ id, …fields }] }` updates those messages in the
 * browser; anything else is handed back to the caller.
 *
 * @example
 * const result: ActionResult = { messages: [{ id: body.id, content: "Translated text" }] };
 */
export type ActionResult =
  { messages?: Array<Partial<ChatMessage> & { id: string }>; [key: string]: unknown } | string | null | undefined | void;

/**
 * What {@link defineAction} takes.
 *
 * @example
 * const definition: ActionDefinition = { action: () => null };
 */
export interface ActionDefinition<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined> {
  /** Admin valves: a zod object schema. */
  valves?: V;
  /** Per-user valves: a zod object schema. */
  userValves?: UV;
  /** Several buttons for one plugin; `ctx.id` tells which was pressed. */
  actions?: ActionEntry[];
  /** Runs when the button under a message is pressed. */
  action(body: ActionBody, ctx: PluginContext<InferValves<V>, InferValves<UV>>): Awaitable<ActionResult>;
}

/**
 * An action plugin: what {@link defineAction} returns and the module's default export.
 *
 * @example
 * const plugin: ActionPlugin = defineAction({ action: () => null });
 */
export type ActionPlugin<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined> = Readonly<
  ActionDefinition<V, UV> & { kind: "action" }
>;

/**
 * Defines an action: a button under assistant messages.
 *
 * @example
 * export default defineAction({
 *   async action(body, ctx) {
 *     const isSure = await ctx.call({ type: "confirmation", data: { title: "Shout?", message: "Upper-case this reply?" } });
 *     const message = body.messages.find((entry) => entry.id === body.id);
 *     if (!isSure || typeof message?.content !== "string") return;
 *     return { messages: [{ id: body.id, content: message.content.toUpperCase() }] };
 *   },
 * });
 * @example
 * // The class form: a class named `Action` (or the default export) with an `action` method and
 * // optional `valves`, `userValves` and `actions` as instance or static properties.
 * export class Action {
 *   actions = [{ id: "copy", name: "Copy" }];
 *   action(body: ActionBody, ctx: PluginContext) {
 *     return { pressed: ctx.id, message: body.id };
 *   }
 * }
 */
export function defineAction<V extends ValvesSchema | undefined = undefined, UV extends ValvesSchema | undefined = undefined>(
  definition: ActionDefinition<V, UV>,
): ActionPlugin<V, UV> {
  return Object.freeze({ ...definition, kind: "action" as const });
}
