import type { PluginAbortSignal } from "../plugin-context.ts";
import type { FetchHeaders, FetchResponse, ServerSentEvent } from "../plugin-fetch.ts";
import { whenInvocationEnds } from "./abort-invocation.ts";
import { readLines } from "./read-lines.ts";
import { readServerSentEvents } from "./read-server-sent-events.ts";
import { TextDecoder } from "./text-decoder.ts";
import type { HostFetchResponse, SluiceHost } from "./types.ts";
import { unwrapHostResult } from "./unwrap-host-result.ts";

/** Where a response's body is read from: the host, chunk by chunk, for one invocation. */
export interface BodySource {
  host: SluiceHost;
  invocationId: string;
  signal: PluginAbortSignal;
}

/**
 * The plugin's view of a response whose head the host returned: the body stays with the host
 * and is pulled one chunk per `fetchRead`, so nothing is read from the network before the plugin
 * asks. The body can be consumed once; stopping early (or an error) closes it on the host.
 *
 * @example
 * const response = createFetchResponse(head, { host, invocationId, signal });
 * for await (const line of response.lines()) ctx.log.info(line);
 */
export function createFetchResponse(head: HostFetchResponse, source: BodySource): FetchResponse {
  const headers = head.headers ?? {};
  const fetchHeaders: FetchHeaders = {
    get: (name) => headers[String(name).toLowerCase()] ?? null,
    has: (name) => Object.hasOwn(headers, String(name).toLowerCase()),
    entries: () => Object.entries(headers),
  };
  let isUsed = false;
  // A body left unread holds a connection: it is closed when the call ends.
  const close = () => source.host.fetchClose(source.invocationId, head.bodyId);
  const cancelClose = whenInvocationEnds(source.invocationId, close);
  const take = (): AsyncIterable<Uint8Array> => {
    if (isUsed) throw new TypeError("ctx.fetch: the response body has already been read");
    isUsed = true;
    return readBody(head.bodyId, source, cancelClose);
  };
  const body: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => take()[Symbol.asyncIterator]() };
  const bytes = async (): Promise<Uint8Array> => concat(await collect(take()));
  const text = async (): Promise<string> => new TextDecoder().decode(await bytes());
  return {
    status: head.status,
    statusText: head.statusText ?? "",
    ok: head.status >= 200 && head.status < 300,
    url: head.url,
    headers: fetchHeaders,
    body,
    get bodyUsed() {
      return isUsed;
    },
    lines: () => readLines(take()),
    events: (): AsyncIterable<ServerSentEvent> => readServerSentEvents(readLines(take())),
    text,
    json: async <T>() => JSON.parse(await text()) as T,
    bytes,
    arrayBuffer: async () => (await bytes()).buffer as ArrayBuffer,
  };
}

async function* readBody(
  bodyId: string,
  { host, invocationId, signal }: BodySource,
  onClosed: () => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  let isDone = false;
  try {
    for (;;) {
      signal.throwIfAborted();
      const result = await host.fetchRead(invocationId, bodyId);
      // The call was aborted meanwhile: its reason, not the host's "stopped" answer.
      signal.throwIfAborted();
      const chunk = unwrapHostResult(result, "fetch");
      if (chunk === null) {
        isDone = true;
        return;
      }
      yield chunk;
    }
  } finally {
    onClosed();
    if (!isDone) host.fetchClose(invocationId, bodyId);
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return parts;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}
