import { SluiceError } from "../errors.ts";
import type { PluginAbortSignal } from "../plugin-context.ts";
import type { FetchHeaders, FetchInit, FetchResponse, PluginFetch } from "../plugin-fetch.ts";
import { describeValue } from "./describe-value.ts";
import type { HostFetchResponse, SluiceHost } from "./types.ts";
import { unwrapHostResult } from "./unwrap-host-result.ts";

/**
 * Builds `ctx.fetch` over the host's `fetch` capability for one invocation.
 *
 * @example
 * const fetch = createFetch(host, "inv-1", signal);
 * const response = await fetch("https://api.example.com");
 */
export function createFetch(host: SluiceHost, invocationId: string, signal: PluginAbortSignal): PluginFetch {
  return async (url, init: FetchInit = {}) => {
    signal.throwIfAborted();
    if (init.body !== undefined && init.body !== null && typeof init.body !== "string") {
      throw new SluiceError(
        "INVALID_INPUT",
        `ctx.fetch: "body" must be a string, got ${describeValue(init.body)} (serialise JSON with JSON.stringify)`,
      );
    }
    const request = {
      url: String(url),
      method: (init.method ?? "GET").toUpperCase(),
      headers: toHeaderRecord(init.headers),
      ...(typeof init.body === "string" && { body: init.body }),
    };
    const response = unwrapHostResult(await host.fetch(invocationId, request), "fetch");
    signal.throwIfAborted();
    return toFetchResponse(response);
  };
}

function toHeaderRecord(headers: FetchInit["headers"] | { forEach?: unknown }): Record<string, string> {
  const record: Record<string, string> = {};
  if (!headers) return record;
  if (Array.isArray(headers)) {
    for (const [name, value] of headers) record[String(name).toLowerCase()] = String(value);
  } else if (typeof (headers as { forEach?: unknown }).forEach === "function") {
    (headers as { forEach(callback: (value: string, name: string) => void): void }).forEach((value, name) => {
      record[name.toLowerCase()] = String(value);
    });
  } else {
    for (const [name, value] of Object.entries(headers)) record[name.toLowerCase()] = String(value);
  }
  return record;
}

function toFetchResponse(response: HostFetchResponse): FetchResponse {
  const headers = toHeaderRecord(response.headers ?? {});
  const fetchHeaders: FetchHeaders = {
    get: (name) => headers[name.toLowerCase()] ?? null,
    has: (name) => Object.hasOwn(headers, name.toLowerCase()),
    entries: () => Object.entries(headers),
  };
  const body = response.body ?? "";
  return {
    status: response.status,
    statusText: response.statusText ?? "",
    ok: response.status >= 200 && response.status < 300,
    url: response.url,
    headers: fetchHeaders,
    text: async () => body,
    json: async <T>() => JSON.parse(body) as T,
  };
}
