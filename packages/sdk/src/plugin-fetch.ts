/**
 * Options of `ctx.fetch`, a subset of the web `RequestInit`. The body is text: serialise JSON
 * yourself.
 *
 * @example
 * const init: FetchInit = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ q: 1 }) };
 */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Array<[string, string]>;
  body?: string;
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
 * What `ctx.fetch` resolves to: the parts of the web `Response` a plugin needs.
 *
 * @example
 * const response = await ctx.fetch("https://api.example.com/items");
 * if (!response.ok) throw new Error(`HTTP ${response.status}`);
 * const items = await response.json();
 */
export interface FetchResponse {
  status: number;
  statusText: string;
  ok: boolean;
  url: string;
  headers: FetchHeaders;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
}

/**
 * `ctx.fetch`: HTTP from inside the sandbox, limited to the hosts the plugin's `permissions`
 * frontmatter allows. A refused host rejects with a `SluiceError` of code `PERMISSION_DENIED`.
 *
 * @example
 * const response = await ctx.fetch("https://api.example.com/search", { method: "POST", body: JSON.stringify({ q }) });
 */
export type PluginFetch = (url: string | { toString(): string }, init?: FetchInit) => Promise<FetchResponse>;
