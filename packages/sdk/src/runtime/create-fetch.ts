import type { PluginAbortSignal } from "../plugin-context.ts";
import type { FetchInit, PluginFetch } from "../plugin-fetch.ts";
import { createFetchResponse } from "./create-fetch-response.ts";
import { encodeFetchBody } from "./encode-fetch-body.ts";
import type { SluiceHost } from "./types.ts";
import { unwrapHostResult } from "./unwrap-host-result.ts";

/**
 * Builds `ctx.fetch` over the host's `fetch`, `fetchRead` and `fetchClose` for one invocation.
 *
 * @example
 * const fetch = createFetch(host, "inv-1", signal);
 * const response = await fetch("https://api.example.com");
 */
export function createFetch(host: SluiceHost, invocationId: string, signal: PluginAbortSignal): PluginFetch {
  return async (url, init: FetchInit = {}) => {
    signal.throwIfAborted();
    const headers = toHeaderRecord(init.headers);
    const body = await encodeFetchBody(init.body, headers);
    const request = {
      url: String(url),
      method: (init.method ?? "GET").toUpperCase(),
      headers,
      ...(body !== undefined && { body }),
    };
    const result = await host.fetch(invocationId, request);
    if (signal.aborted) {
      if (result.ok) host.fetchClose(invocationId, result.value.bodyId);
      signal.throwIfAborted();
    }
    return createFetchResponse(unwrapHostResult(result, "fetch"), { host, invocationId, signal });
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
