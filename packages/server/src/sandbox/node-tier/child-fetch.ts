import type { HostFetchRequest, HostResult } from "@sluice/sdk/runtime";
import type { HostFetchAnswer } from "../invocation-handlers.ts";
import { limitResponseBody } from "../limit-response-body.ts";
import type { ChildFetchSettings } from "./node-tier-protocol.ts";

// Runs in the trusted tier's child process. `ctx.fetch` there is Node's own fetch: the process
// can open any connection anyway (Node 24's permission model has no network control), so a
// host-side permission check would protect nothing. What is kept from the sandbox's fetch is
// its shape, its time limit until the head, and its body limits (size, idle time).

function failure(
  code: "UPSTREAM_ERROR" | "PAYLOAD_TOO_LARGE" | "INVALID_INPUT" | "PLUGIN_ERROR",
  message: string,
): HostResult<HostFetchAnswer> {
  return { ok: false, error: { code, message } };
}

/**
 * `ctx.fetch` of the trusted tier: Node's fetch with a time limit until the response's head, and
 * its body pulled as the plugin reads, capped in size and idle time. `signal` aborts it (and
 * frees the connection) when the hook call ends; `onBodyClosed` is called once the body is read
 * to its end, fails or is given up. Never rejects.
 */
export async function childFetch(
  request: HostFetchRequest,
  settings: ChildFetchSettings,
  signal: AbortSignal,
  onBodyClosed: () => void = () => {},
): Promise<HostResult<HostFetchAnswer>> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failure("INVALID_INPUT", `ctx.fetch: not a valid URL: ${String(request.url).slice(0, 200)}`);
  }
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const connection = new AbortController();
  const stop = () => connection.abort();
  signal.addEventListener("abort", stop, { once: true });
  timeout.addEventListener("abort", stop, { once: true });
  const release = () => {
    signal.removeEventListener("abort", stop);
    timeout.removeEventListener("abort", stop);
  };
  try {
    const response = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.body as RequestInit["body"],
      signal: connection.signal,
    });
    timeout.removeEventListener("abort", stop);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const source: AsyncIterable<Uint8Array> = response.body ?? (async function* () {})();
    const body = limitResponseBody(source, {
      maxBytes: settings.maxBytes,
      idleTimeoutMs: settings.idleTimeoutMs,
      host: url.host,
      isStopped: () => signal.aborted,
      close: () => {
        release();
        connection.abort();
        onBodyClosed();
      },
    });
    return { ok: true, value: { status: response.status, statusText: response.statusText, headers, body, url: response.url } };
  } catch (error) {
    release();
    if (timeout.aborted) return failure("UPSTREAM_ERROR", `ctx.fetch to ${url.host} timed out after ${settings.timeoutMs} ms`);
    if (signal.aborted) return failure("PLUGIN_ERROR", `ctx.fetch to ${url.host} was stopped: the hook call has ended`);
    const cause = (error as { cause?: { code?: string } }).cause;
    return failure("UPSTREAM_ERROR", `ctx.fetch to ${url.host} failed: ${cause?.code ?? (error as Error).message}`);
  }
}
