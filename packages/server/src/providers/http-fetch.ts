import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import zlib from "node:zlib";

/** What {@link httpFetch} takes of fetch's options: the upstream clients send nothing else. */
export interface HttpFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** How long the connection may stay silent, before the answer's headers or between pieces of its body; 300 s by default, as Node's fetch. */
  idleTimeoutMs?: number;
}

/** Node's fetch (undici) gives up on a silent upstream after 300 s, waiting for headers or for the body. */
const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => zlib.createGunzip(),
  "x-gzip": () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** The fetch the upstream clients call: {@link httpFetch}, or the global fetch (tests). */
export type UpstreamFetch = (url: string, init?: HttpFetchInit) => Promise<Response>;

/**
 * `fetch` for the upstream clients, over node:http(s) and their keep-alive agents: the same
 * `Response`, a quarter to half a millisecond sooner on every chat (Node's fetch builds a
 * WHATWG request and body streams around the same socket). Bodies come decompressed as fetch
 * gives them. A redirect is handed to the global fetch, which follows it; so is a request while
 * `NODE_USE_ENV_PROXY` asks for the environment's proxy.
 */
export async function httpFetch(url: string, init: HttpFetchInit = {}): Promise<Response> {
  if (process.env.NODE_USE_ENV_PROXY) return fetch(url, init);
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : undefined;
  if (!client) return fetch(url, init);
  const { signal } = init;
  signal?.throwIfAborted();
  const headers: Record<string, string | number> = { "accept-encoding": "gzip, deflate, br", ...init.headers };
  if (init.body !== undefined) headers["content-length"] = Buffer.byteLength(init.body);

  const incoming = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = client.request(target, { method: init.method ?? "GET", headers });
    // On the socket while this request has it: no headers yet, or no body piece, for this long.
    const idleTimeoutMs = init.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    let answer: http.IncomingMessage | undefined;
    request.setTimeout(idleTimeoutMs, () => {
      const error = new Error(`no data for ${idleTimeoutMs / 1000} s`);
      // Once the answer came, its body's reader gets the reason.
      if (answer) answer.destroy(error);
      else request.destroy(error);
    });
    const abort = () => request.destroy(signal!.reason);
    signal?.addEventListener("abort", abort, { once: true });
    request.once("response", (response) => {
      answer = response;
      // From here an abort ends the body, which then throws the signal's reason to its reader.
      signal?.removeEventListener("abort", abort);
      if (signal) {
        const abortBody = () => response.destroy(signal.reason);
        signal.addEventListener("abort", abortBody, { once: true });
        response.once("close", () => signal.removeEventListener("abort", abortBody));
      }
      resolve(response);
    });
    request.once("error", (error) => {
      signal?.removeEventListener("abort", abort);
      reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error }));
    });
    request.end(init.body);
  });

  const status = incoming.statusCode ?? 502;
  if (status >= 300 && status < 400 && incoming.headers.location) {
    incoming.resume();
    return fetch(url, init);
  }
  const responseHeaders = new Headers();
  for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) {
    responseHeaders.append(incoming.rawHeaders[index]!, incoming.rawHeaders[index + 1]!);
  }
  const hasNoBody = init.method === "HEAD" || status === 204 || status === 304;
  let body: Readable = incoming;
  const decoder = DECODERS[(incoming.headers["content-encoding"] ?? "").trim().toLowerCase()];
  if (decoder && !hasNoBody) {
    body = incoming.pipe(decoder()) as unknown as Readable;
    incoming.once("error", (error) => body.destroy(error));
    responseHeaders.delete("content-encoding");
    responseHeaders.delete("content-length");
  }
  return new Response(hasNoBody ? null : (Readable.toWeb(body) as ReadableStream<Uint8Array>), {
    status,
    statusText: incoming.statusMessage ?? "",
    headers: responseHeaders,
  });
}
