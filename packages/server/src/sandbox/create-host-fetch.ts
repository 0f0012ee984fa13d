import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { pipeline, type Readable } from "node:stream";
import zlib from "node:zlib";
import { SluiceError } from "@sluice/sdk";
import type { HostFetchRequest } from "@sluice/sdk/runtime";
import type { HostFetchAnswer } from "./invocation-handlers.ts";
import { limitResponseBody } from "./limit-response-body.ts";
import { createNetworkGate, type CheckedAddress, type NetworkGateOptions } from "./network-gate.ts";

export interface HostFetchOptions extends NetworkGateOptions {
  /** Largest response body (after decompression), in bytes (`PLUGIN_FETCH_MAX_BYTES`). Default 10 MB. */
  maxBytes?: number;
  /** Time limit until the response's head has arrived, redirects included (`PLUGIN_FETCH_TIMEOUT_MS`). Default 30 s. */
  timeoutMs?: number;
  /** Longest wait for the next body chunk while the plugin waits for it (`PLUGIN_FETCH_IDLE_TIMEOUT_MS`). Default 60 s. */
  idleTimeoutMs?: number;
  /** Resolves a host name to its addresses; default the system resolver. For tests. */
  resolve?: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
  /** Which addresses may be reached; default public ones only (all with `allowPrivateNetwork`). For tests. */
  isAddressAllowed?: (address: string) => boolean;
}

/** A fetch handler for `ctx.fetch`: see {@link createHostFetch}. */
export type HostFetch = (request: HostFetchRequest, context?: { signal?: AbortSignal }) => Promise<HostFetchAnswer>;

export const DEFAULT_FETCH_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;
export const DEFAULT_FETCH_IDLE_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 5;
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
// Set by the connection, not by the plugin.
const DROPPED_HEADERS = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "accept-encoding",
  "proxy-authorization",
  "proxy-connection",
]);
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

interface Target {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/**
 * The host side of `ctx.fetch` for one plugin: http(s) only, to hosts and ports its granted
 * `network:` permissions cover (ports 443 and 80 unless an entry names one), never (unless `allowPrivateNetwork`) to an address that is not public after
 * DNS resolution; the connection goes to the very address that was checked, so DNS cannot change
 * the answer in between. Redirects are followed by hand (at most 5), each hop checked again. It
 * resolves with the head; the body is read from the socket only as the plugin pulls it, capped in
 * size and in idle time between chunks. Reaching the head is timed out; everything stops (the
 * socket is closed) when the call's signal aborts. Refusals are PERMISSION_DENIED naming the host.
 *
 * @example
 * const fetch = createHostFetch({ pluginId: "weather", allowedHosts: ["api.weather.example"] });
 * const response = await fetch({ url: "https://api.weather.example/today", method: "GET", headers: {} });
 */
export function createHostFetch(options: HostFetchOptions): HostFetch {
  const maxBytes = options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_FETCH_IDLE_TIMEOUT_MS;
  const gate = createNetworkGate(options);
  const checkTarget = async (url: URL): Promise<CheckedAddress> => {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new SluiceError(
        "PERMISSION_DENIED",
        `Plugin "${options.pluginId}" may fetch only http and https URLs, not ${url.protocol.replace(/:$/, "")}`,
      );
    if (url.username || url.password) throw new SluiceError("INVALID_INPUT", "ctx.fetch: put credentials in a header, not in the URL");
    return gate(url, "ctx.fetch");
  };

  return async (request, context = {}) => {
    // Aborted by the call's signal at any time, and by the time limit until the head has arrived.
    const connection = new AbortController();
    const timeout = AbortSignal.timeout(timeoutMs);
    const stop = () => connection.abort(context.signal?.aborted ? context.signal.reason : timeout.reason);
    context.signal?.addEventListener("abort", stop, { once: true });
    timeout.addEventListener("abort", stop, { once: true });
    const signal = connection.signal;
    const release = () => {
      timeout.removeEventListener("abort", stop);
      context.signal?.removeEventListener("abort", stop);
    };
    let target = initialTarget(request);
    try {
      for (let redirects = 0; ; redirects++) {
        const address = await checkTarget(target.url);
        signal.throwIfAborted();
        const response = await send(target, address, signal);
        const location = response.headers.location;
        if ([301, 302, 303, 307, 308].includes(response.statusCode ?? 0) && location) {
          response.resume();
          if (redirects >= MAX_REDIRECTS)
            throw new SluiceError("UPSTREAM_ERROR", `ctx.fetch: more than ${MAX_REDIRECTS} redirects from ${request.url}`);
          target = redirectTarget(target, response.statusCode!, location);
          continue;
        }
        timeout.removeEventListener("abort", stop);
        const stream = decoded(response);
        const body = limitResponseBody(stream as AsyncIterable<Uint8Array>, {
          maxBytes,
          idleTimeoutMs,
          host: target.url.host,
          isStopped: () => signal.aborted,
          close: () => {
            release();
            response.destroy();
            if (stream !== response) stream.destroy();
          },
        });
        return {
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? "",
          headers: flattenHeaders(response.headers),
          body,
          url: target.url.href,
        };
      }
    } catch (error) {
      release();
      connection.abort();
      if (SluiceError.isInstance(error)) throw error;
      if (timeout.aborted) throw new SluiceError("UPSTREAM_ERROR", `ctx.fetch to ${target.url.host} timed out after ${timeoutMs} ms`);
      if (signal.aborted) throw new SluiceError("PLUGIN_ERROR", `ctx.fetch to ${target.url.host} was stopped: the hook call has ended`);
      throw new SluiceError(
        "UPSTREAM_ERROR",
        `ctx.fetch to ${target.url.host} failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };
}

function initialTarget(request: HostFetchRequest): Target {
  let url: URL;
  try {
    url = new URL(String(request.url));
  } catch {
    throw new SluiceError("INVALID_INPUT", `ctx.fetch: not a valid URL: ${String(request.url).slice(0, 200)}`);
  }
  const method = String(request.method ?? "GET").toUpperCase();
  if (!METHODS.has(method)) throw new SluiceError("INVALID_INPUT", `ctx.fetch: method ${method} is not allowed`);
  if ((method === "GET" || method === "HEAD") && request.body !== undefined) {
    throw new SluiceError("INVALID_INPUT", `ctx.fetch: a ${method} request cannot have a body`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase();
    if (!DROPPED_HEADERS.has(lower) && !lower.startsWith("proxy-")) headers[lower] = String(value);
  }
  return { url, method, headers, body: request.body };
}

/** The next hop of a redirect, as browsers do it: 303 (and 301/302 after a POST) become a GET. */
function redirectTarget(previous: Target, status: number, location: string): Target {
  let url: URL;
  try {
    url = new URL(location, previous.url);
  } catch {
    throw new SluiceError("UPSTREAM_ERROR", `ctx.fetch: ${previous.url.host} redirected to an invalid URL`);
  }
  const headers = { ...previous.headers };
  let { method, body } = previous;
  if (status === 303 || ((status === 301 || status === 302) && method === "POST")) {
    method = method === "HEAD" ? "HEAD" : "GET";
    body = undefined;
    delete headers["content-type"];
  }
  if (url.origin !== previous.url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
  return { url, method, headers, body };
}

function send(target: Target, address: { address: string; family: number }, signal: AbortSignal): Promise<http.IncomingMessage> {
  // Connect to the address that was checked, whatever DNS says now.
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all)
      (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  const headers: Record<string, string> = { "accept-encoding": "gzip, deflate, br", ...target.headers };
  if (target.body !== undefined) headers["content-length"] = String(Buffer.byteLength(target.body));

  const client = target.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let outgoing: http.ClientRequest;
    try {
      outgoing = client.request(target.url, { method: target.method, headers, lookup, signal, agent: false });
    } catch (error) {
      reject(new SluiceError("INVALID_INPUT", `ctx.fetch: ${(error as Error).message}`));
      return;
    }
    outgoing.once("response", resolve);
    outgoing.once("error", reject);
    outgoing.end(target.body);
  });
}

/** The body decompressed as its `content-encoding` says; an error on either stream ends both. */
function decoded(response: http.IncomingMessage): Readable {
  const encoding = String(response.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  let decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  if (encoding === "gzip" || encoding === "x-gzip") decoder = zlib.createGunzip();
  else if (encoding === "deflate") decoder = zlib.createInflate();
  else if (encoding === "br") decoder = zlib.createBrotliDecompress();
  if (!decoder) return response;
  return pipeline(response, decoder, () => {});
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
