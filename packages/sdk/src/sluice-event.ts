import type { ChatMessage, FileReference } from "./chat-body.ts";

/**
 * A citation's source, for `source` / `citation` events.
 *
 * @example
 * const data: CitationData = { source: { name: "Docs", url: "https://docs.example.com" }, document: ["…"], metadata: [{ source: "https://docs.example.com" }] };
 */
export interface CitationData {
  source: { name: string; id?: string; url?: string; [key: string]: unknown };
  document: string[];
  metadata: Array<{ source: string; name?: string; url?: string; [key: string]: unknown }>;
  /** Typed variants (such as `code_execution`) are left to the browser. */
  type?: string;
  [key: string]: unknown;
}

/**
 * `status` data: a progress line shown above the message.
 *
 * @example
 * const data: StatusData = { description: "Searching…", done: false };
 */
export interface StatusData {
  description: string;
  done?: boolean;
  hidden?: boolean;
  action?: string;
  urls?: string[];
  queries?: string[];
  count?: number;
  error?: boolean;
}

/**
 * Every event a plugin can send with `ctx.emit` or `ctx.call`, keyed by `type`, as Open WebUI's
 * browser understands them. `confirmation`, `input` and `execute` are questions for `ctx.call`.
 * Events of other (custom) types are allowed too: see {@link CustomSluiceEvent}.
 *
 * @example
 * await ctx.emit({ type: "status", data: { description: "Searching…", done: false } });
 * await ctx.emit({ type: "notification", data: { type: "success", content: "Saved" } });
 * await ctx.emit({ type: "citation", data: { source: { name: "Docs" }, document: ["…"], metadata: [{ source: "https://…" }] } });
 */
export type SluiceEvent =
  | { type: "status"; data: StatusData }
  | { type: "message" | "chat:message:delta"; data: { content: string } }
  | { type: "replace" | "chat:message"; data: { content: string } }
  | {
      type: "chat:completion";
      data: {
        content?: string;
        done?: boolean;
        title?: string;
        usage?: Record<string, unknown>;
        error?: unknown;
        sources?: unknown[];
        [key: string]: unknown;
      };
    }
  | { type: "files" | "chat:message:files"; data: { files: FileReference[] } }
  | { type: "embeds" | "chat:message:embeds"; data: { embeds: string[]; replace?: boolean } }
  | { type: "source" | "citation"; data: CitationData }
  | { type: "notification"; data: { type: "info" | "success" | "warning" | "error"; content: string } }
  | { type: "chat:title"; data: string }
  | { type: "chat:message:follow_ups"; data: { follow_ups: string[] } }
  | { type: "chat:outlet"; data: { messages: ChatMessage[] } }
  | { type: "chat:message:error"; data: { error: { content: string } } }
  | { type: "confirmation"; data: { title: string; message: string } }
  | { type: "input"; data: { title: string; message: string; placeholder?: string; value?: string; type?: "password" } }
  | { type: "execute"; data: { code: string } };

/**
 * The `type` of a known event.
 *
 * @example
 * const type: SluiceEventType = "status";
 */
export type SluiceEventType = SluiceEvent["type"];

/**
 * The known event types, in the order of {@link SluiceEvent}.
 *
 * @example
 * EVENT_TYPES.includes("status"); // true
 */
export const EVENT_TYPES = [
  "status",
  "message",
  "chat:message:delta",
  "replace",
  "chat:message",
  "chat:completion",
  "files",
  "chat:message:files",
  "embeds",
  "chat:message:embeds",
  "source",
  "citation",
  "notification",
  "chat:title",
  "chat:message:follow_ups",
  "chat:outlet",
  "chat:message:error",
  "confirmation",
  "input",
  "execute",
] as const satisfies readonly SluiceEventType[];

/**
 * An event of a type Sluice does not know: forwarded to the browser untouched (the stock UI
 * ignores it; a custom UI may not).
 *
 * @example
 * await ctx.emit({ type: "my-plugin:progress", data: { percent: 40 } });
 */
export interface CustomSluiceEvent<Type extends string = string> {
  type: Type;
  data?: unknown;
}

/**
 * What `ctx.emit` accepts for an event of type `Type`: the known shape for a known type, anything
 * for a custom type.
 *
 * @example
 * const event: EmittableEvent<"status"> = { type: "status", data: { description: "ok" } };
 */
export type EmittableEvent<Type extends string> = { type: Type } & (Type extends SluiceEventType ? EventOfType<Type> : { data?: unknown });

// The member of `Event` whose `type` (one name, or several aliases such as "files" |
// "chat:message:files") includes `Type`; Extract would find none for an alias.
type NarrowEvent<Event, Type> = Event extends { type: infer Types }
  ? Type extends Types
    ? Omit<Event, "type"> & { type: Type }
    : never
  : never;

/**
 * The known event of one type.
 *
 * @example
 * const statuses: EventOfType<"status">[] = [];
 */
export type EventOfType<Type extends SluiceEventType> = NarrowEvent<SluiceEvent, Type>;
