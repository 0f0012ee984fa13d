/**
 * A request body of `ctx.fetch`: text (sent as is), bytes, `URLSearchParams` (sent as
 * `application/x-www-form-urlencoded`) or `FormData` (sent as `multipart/form-data`, with file
 * parts for `Blob` and `File` values). Serialise JSON yourself with `JSON.stringify`.
 *
 * @example
 * const form = new FormData();
 * form.append("file", new Blob([pngBytes], { type: "image/png" }), "cat.png");
 * const body: FetchBody = form;
 */
export type FetchBody = string | Uint8Array | ArrayBuffer | URLSearchParams | FormData;

/**
 * Options of `ctx.fetch`, a subset of the web `RequestInit`. A `content-type` header is set for
 * `URLSearchParams` and `FormData` bodies unless you set one.
 *
 * @example
 * const init: FetchInit = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ q: 1 }) };
 */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Array<[string, string]>;
  body?: FetchBody | null;
}

/**
 * Response headers, read case-insensitively.
 *
 * @example
 * response.headers.get("content-type"); // "application/json"
 */
export interface FetchHeaders {
  get(name: string): string | null;
  has(name: string): boolean;
  /** All headers, names in lower case. */
  entries(): Array<[string, string]>;
}

/**
 * One server-sent event, as `response.events()` yields it: `event` is `"message"` unless the
 * stream named it, `data` the event's data lines joined with `\n`, `id` the last id seen (or `""`).
 *
 * @example
 * const event: ServerSentEvent = { event: "message", data: '{"choices":[]}', id: "" };
 */
export interface ServerSentEvent {
  event: string;
  data: string;
  id: string;
}

/**
 * What `ctx.fetch` resolves to once the response's head has arrived: the parts of the web
 * `Response` a plugin needs. The body is read once, by exactly one of `body`, `lines()`,
 * `events()`, `text()`, `json()`, `bytes()` or `arrayBuffer()`; the streaming ones read from the
 * network only as fast as the plugin iterates, and stopping the loop early (`break`) closes the
 * connection. `ctx.signal` aborting stops a read with its reason.
 *
 * @example
 * const response = await ctx.fetch("https://api.example.com/items");
 * if (!response.ok) throw new Error(`HTTP ${response.status}`);
 * const items = await response.json();
 *
 * @example
 * // A server-sent event stream, token by token
 * for await (const event of response.events()) {
 *   if (event.data === "[DONE]") break;
 *   yield JSON.parse(event.data).choices[0]?.delta?.content ?? "";
 * }
 */
export interface FetchResponse {
  status: number;
  statusText: string;
  ok: boolean;
  url: string;
  headers: FetchHeaders;
  /** The body as it arrives, chunk by chunk. */
  body: AsyncIterable<Uint8Array>;
  /** True once something started reading the body. */
  readonly bodyUsed: boolean;
  /** The body decoded as UTF-8, line by line (without `\n` or `\r\n`). */
  lines(): AsyncIterable<string>;
  /** The body parsed as server-sent events (`text/event-stream`); comments and retry lines are skipped. */
  events(): AsyncIterable<ServerSentEvent>;
  /** The whole body decoded as UTF-8. */
  text(): Promise<string>;
  /** The whole body parsed as JSON. */
  json<T = unknown>(): Promise<T>;
  /** The whole body as bytes. */
  bytes(): Promise<Uint8Array>;
  /** The whole body as an `ArrayBuffer`. */
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * `ctx.fetch`: HTTP from inside the sandbox, limited to the hosts the plugin's `permissions`
 * frontmatter allows. A refused host rejects with a `SluiceError` of code `PERMISSION_DENIED`.
 * It resolves when the response's head has arrived; the body streams after.
 *
 * @example
 * const response = await ctx.fetch("https://api.example.com/search", { method: "POST", body: JSON.stringify({ q }) });
 */
export type PluginFetch = (url: string | { toString(): string }, init?: FetchInit) => Promise<FetchResponse>;
