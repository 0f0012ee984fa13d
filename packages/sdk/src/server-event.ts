/**
 * The server events an event plugin ({@link defineEvents}) can listen to, with what each one's
 * `subject` is and what its `data` holds. Open WebUI's event functions get `__event_name__`; a
 * Sluice event plugin gets the whole event, typed by its `name`.
 *
 * @example
 * type Created = ServerEventCatalog["chat.created"]["data"]; // { title: string }
 */
export interface ServerEventCatalog {
  /** The server (this instance) started and listens; the subject is the instance. */
  "system.startup": { subject: "system"; data: { version: string } };
  "function.created": { subject: "function"; data: FunctionEventData };
  "function.updated": { subject: "function"; data: FunctionEventData };
  "function.enabled": { subject: "function"; data: FunctionEventData };
  /**
   * The function is about to be switched off (or deleted). Sent only to the event plugin being
   * switched off, which the server waits for (up to the plugin's time limit) before it does so:
   * the moment to flush or clean up.
   */
  "function.disable_started": { subject: "function"; data: FunctionEventData };
  "function.disabled": { subject: "function"; data: FunctionEventData };
  "function.deleted": { subject: "function"; data: FunctionEventData };
  /** An admin saved the function's valves (the values are not in the event: some are secret). */
  "function.valves_updated": { subject: "function"; data: FunctionEventData };
  "tool.created": { subject: "tool"; data: ToolEventData };
  "tool.updated": { subject: "tool"; data: ToolEventData };
  /** A tool waiting for an admin's approval of its permissions was approved and switched on. */
  "tool.enabled": { subject: "tool"; data: ToolEventData };
  "tool.disabled": { subject: "tool"; data: ToolEventData };
  "tool.deleted": { subject: "tool"; data: ToolEventData };
  "tool.valves_updated": { subject: "tool"; data: ToolEventData };
  "chat.created": { subject: "chat"; data: { title: string } };
  /** The chat was changed through the chats API (title, messages, archived, …). */
  "chat.updated": { subject: "chat"; data: { title: string } };
  "chat.deleted": { subject: "chat"; data: Record<never, never> };
  /** An answer in a stored chat was saved and its outlet filters ran; the subject is the message. */
  "message.completed": { subject: "message"; data: { chat_id: string; model: string } };
  "file.uploaded": { subject: "file"; data: { name: string; content_type: string; size: number } };
  /** A new account (the actor is the new user, who signed up). */
  "user.created": { subject: "user"; data: { role: string } };
  "user.signed_in": { subject: "user"; data: Record<never, never> };
  /** A user made a new API key (it replaces their previous one); the key itself is never in an event. */
  "auth.api_key.created": { subject: "api_key"; data: { user_id: string } };
}

/**
 * What function events say of the function.
 *
 * @example
 * const data: FunctionEventData = { name: "Turn Limit", type: "filter" };
 */
export interface FunctionEventData {
  name: string;
  /** The function's stored type: `pipe`, `filter`, `action` or `event`. */
  type: string;
}

/**
 * What tool events say of the tool module.
 *
 * @example
 * const data: ToolEventData = { name: "Weather" };
 */
export interface ToolEventData {
  name: string;
}

/**
 * The name of a server event.
 *
 * @example
 * const name: ServerEventName = "message.completed";
 */
export type ServerEventName = keyof ServerEventCatalog;

/**
 * Every server event's name, in the catalogue's order.
 *
 * @example
 * SERVER_EVENT_NAMES.includes("chat.created"); // true
 */
export const SERVER_EVENT_NAMES = [
  "system.startup",
  "function.created",
  "function.updated",
  "function.enabled",
  "function.disable_started",
  "function.disabled",
  "function.deleted",
  "function.valves_updated",
  "tool.created",
  "tool.updated",
  "tool.enabled",
  "tool.disabled",
  "tool.deleted",
  "tool.valves_updated",
  "chat.created",
  "chat.updated",
  "chat.deleted",
  "message.completed",
  "file.uploaded",
  "user.created",
  "user.signed_in",
  "auth.api_key.created",
] as const satisfies readonly ServerEventName[];

/**
 * Who caused an event: the signed-in user, or `null` when the server itself did (start-up).
 *
 * @example
 * const actor: ServerEventActor = { id: "u1", name: "Ada", email: "ada@example.com", role: "admin" };
 */
export interface ServerEventActor {
  id: string;
  name: string;
  email: string;
  role: string;
}

/**
 * One server event as an event plugin receives it, typed by `name`.
 *
 * @example
 * const event: ServerEvent<"chat.created"> = {
 *   id: "5b0f…", name: "chat.created", subject: { type: "chat", id: "c1" },
 *   actor: { id: "u1", name: "Ada", email: "ada@example.com", role: "user" }, ts: 1767225600000, data: { title: "Plans" },
 * };
 */
export type ServerEvent<Name extends ServerEventName = ServerEventName> = {
  [N in Name]: {
    /** Unique per event: a key for an audit log that must not count one event twice. */
    id: string;
    name: N;
    /** What the event is about. */
    subject: { type: ServerEventCatalog[N]["subject"]; id: string };
    actor: ServerEventActor | null;
    /** When it happened, in milliseconds since 1970 (`new Date(event.ts)`). */
    ts: number;
    data: ServerEventCatalog[N]["data"];
  };
}[Name];

/**
 * What `on` listens to: an event's name, or a pattern where `*` stands for any text
 * (`"function.*"`, `"*.deleted"`, `"*"` for every event).
 *
 * @example
 * const pattern: ServerEventPattern = "tool.*";
 */
export type ServerEventPattern = ServerEventName | `${string}*${string}`;

/**
 * The names a pattern matches.
 *
 * @example
 * type Lifecycle = ServerEventNameMatching<"chat.*">; // "chat.created" | "chat.updated" | "chat.deleted"
 */
export type ServerEventNameMatching<Pattern extends string> = Pattern extends ServerEventName
  ? Pattern
  : Pattern extends `${infer Head}*${infer Tail}`
    ? Extract<ServerEventName, `${Head}${string}${WithoutStars<Tail>}`>
    : never;

type WithoutStars<Text extends string> = Text extends `${string}*${infer Rest}` ? WithoutStars<Rest> : Text;

/**
 * True when `name` matches `pattern` (an exact name, or `*` standing for any text).
 *
 * @example
 * matchesEventPattern("function.*", "function.enabled"); // true
 * matchesEventPattern("*.deleted", "chat.deleted"); // true
 */
export function matchesEventPattern(pattern: string, name: string): boolean {
  if (!pattern.includes("*")) return pattern === name;
  const parts = pattern.split("*");
  if (!name.startsWith(parts[0]!) || !name.endsWith(parts.at(-1)!)) return false;
  let position = parts[0]!.length;
  const end = name.length - parts.at(-1)!.length;
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, position);
    if (found === -1 || found + part.length > end) return false;
    position = found + part.length;
  }
  return position <= end;
}
