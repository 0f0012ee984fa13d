import type { HostFetchRequest, HostFetchResponse, HostResult } from "@sluice/sdk/runtime";
import type { ChildFetchSettings } from "./node-tier-protocol.ts";

// Runs in the trusted tier's child process. `ctx.fetch` there is Node's own fetch: the process
// can open any connection anyway (Node 24's permission model has no network control), so a
// host-side permission check would protect nothing. What is kept from the sandbox's fetch is
// its shape, its time limit and its body cap.

function failure(
  code: "UPSTREAM_ERROR" | "PAYLOAD_TOO_LARGE" | "INVALID_INPUT" | "PLUGIN_ERROR",
  message: string,
): HostResult<HostFetchResponse> {
  return { ok: false, error: { code, message } };
}

async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}

/**
 * `ctx.fetch` of the trusted tier: Node's fetch with a time limit and a body cap; `signal` aborts
 * it when the hook call ends. Never rejects.
 */
export async function childFetch(
  request: HostFetchRequest,
  settings: ChildFetchSettings,
  signal: AbortSignal,
): Promise<HostResult<HostFetchResponse>> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failure("INVALID_INPUT", `ctx.fetch: not a valid URL: ${String(request.url).slice(0, 200)}`);
  }
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.any([timeout, signal]),
    });
    const body = await readCapped(response, settings.maxBytes);
    if (body === undefined)
      return failure("PAYLOAD_TOO_LARGE", `ctx.fetch: the response from ${url.host} is larger than ${settings.maxBytes} bytes`);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { ok: true, value: { status: response.status, statusText: response.statusText, headers, body, url: response.url } };
  } catch (error) {
    if (timeout.aborted) return failure("UPSTREAM_ERROR", `ctx.fetch to ${url.host} timed out after ${settings.timeoutMs} ms`);
    if (signal.aborted) return failure("PLUGIN_ERROR", `ctx.fetch to ${url.host} was stopped: the hook call has ended`);
    const cause = (error as { cause?: { code?: string } }).cause;
    return failure("UPSTREAM_ERROR", `ctx.fetch to ${url.host} failed: ${cause?.code ?? (error as Error).message}`);
  }
}
