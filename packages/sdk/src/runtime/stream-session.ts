import { SluiceError } from "../errors.ts";
import { endInvocation, isInvocationRunning, startInvocation } from "./abort-invocation.ts";
import { backgroundAnnouncement } from "./background-work.ts";
import type { AbortHandle } from "./abort-handle.ts";
import { createContext } from "./create-context.ts";
import type { HookFunction } from "./normalize-plugin.ts";
import { holdResult, PENDING } from "./pending-results.ts";
import { registeredPlugin } from "./register-plugin.ts";
import { checkBody, requireObject } from "./run-hook.ts";
import { MAX_RESULT_LENGTH } from "./serialize-result.ts";
import { toInvokeError } from "./to-invoke-error.ts";
import type { InvokeError, InvokeRequest, SluiceHost } from "./types.ts";

interface StreamSession {
  stream: HookFunction;
  ctx: unknown;
  handle: AbortHandle;
}

/**
 * What `streamChunk` answers: the chunk as JSON text (replaced, or the event itself when the hook
 * returned nothing), `null` to drop it, {@link PENDING} when the hook returned a promise (take it
 * with `takeResult(resultKey)`), or a failure.
 */
export type StreamChunkResult = string | null | typeof PENDING | { ok: false; error: InvokeError };

const sessions = new Map<string, StreamSession>();

/**
 * Prepares a filter's `stream` hook for one response: valves validated and `ctx` built once, bound
 * to `request.invocationId` until `closeStreamSession`. `passThrough` is true when the filter has
 * no `stream` hook (the host then skips the isolate for this response).
 *
 * @example
 * __sluice_runtime.openStreamSession({ invocationId: "inv-7", hook: "stream", payload: null, context });
 */
export function openStreamSession(request: InvokeRequest): { ok: true; passThrough: boolean } | { ok: false; error: InvokeError } {
  const invocationId = request?.invocationId;
  let handle: AbortHandle | undefined;
  try {
    const plugin = registeredPlugin();
    if (!plugin) throw new SluiceError("PLUGIN_LOAD_FAILED", "No plugin is registered in this isolate");
    if (plugin.kind !== "filter") throw new SluiceError("INVALID_INPUT", `This ${plugin.kind} plugin has no "stream" hook`);
    const stream = plugin.hooks.stream;
    if (!stream) return { ok: true, passThrough: true };
    const host = (globalThis as { __sluice_host?: SluiceHost }).__sluice_host;
    if (!host) throw new SluiceError("INTERNAL", "The host capabilities (globalThis.__sluice_host) are missing");
    if (sessions.has(invocationId))
      throw new SluiceError("INVALID_INPUT", `Stream session ${JSON.stringify(invocationId)} is already open`);
    handle = startInvocation(invocationId);
    const ctx = createContext(plugin, { ...request, hook: "stream" }, host, handle.signal);
    sessions.set(invocationId, { stream, ctx, handle });
    return { ok: true, passThrough: false };
  } catch (error) {
    if (handle) endInvocation(invocationId, handle);
    return { ok: false, error: toInvokeError(error) };
  }
}

/**
 * Runs the session's `stream` hook on one chunk (JSON text). The returned event replaces the
 * chunk, `null` drops it, `undefined` keeps the event as the hook left it (docs/internals/plugin-runtime.md §6).
 * When the hook returns a promise, its outcome is held under `resultKey` (unique per chunk).
 *
 * @example
 * __sluice_runtime.streamChunk("inv-7", '{"choices":[{"delta":{"content":"Hi"}}]}', "inv-7:1"); // '{"choices":…}'
 */
export function streamChunk(invocationId: string, chunkJson: string, resultKey: string): StreamChunkResult {
  const session = sessions.get(invocationId);
  if (!session) return { ok: false, error: { code: "INVALID_INPUT", message: "This stream session is closed" } };
  try {
    const event = requireObject("stream", JSON.parse(chunkJson));
    const result = session.stream(event, session.ctx);
    // A hook that started background work (`ctx.waitUntil`) answers once the host knows of it.
    const announcement = backgroundAnnouncement(invocationId);
    if (isThenable(result) || announcement) {
      holdResult(
        resultKey,
        Promise.resolve(result)
          .then(async (value) => {
            await backgroundAnnouncement(invocationId);
            return encode(value, event);
          })
          .then(undefined, failure),
      );
      return PENDING;
    }
    return encode(result, event);
  } catch (error) {
    return failure(error);
  }
}

/** What `streamChunks` answers for a chunk it left for the next crossing (its time for this one was used up). */
export const NOT_RUN = 1;

/** How long one `streamChunks` crossing runs chunks before it leaves the rest for the next (ms). */
const BATCH_BUDGET_MS = 20;

/**
 * Runs several sessions' chunks in one crossing, in the order given: `[invocationId, chunkJson,
 * resultKey]` each, at most one chunk per session (a hook that returns a promise holds its
 * session's order). Answers one {@link StreamChunkResult} per chunk, or {@link NOT_RUN} for the
 * chunks after the first {@link BATCH_BUDGET_MS} ms, which the host sends again.
 *
 * @example
 * __sluice_runtime.streamChunks([["inv-7", '{"choices":[]}', "inv-7:1"], ["inv-8", '{"choices":[]}', "inv-8:4"]]); // ['{"choices":[]}', '{"choices":[]}']
 */
export function streamChunks(batch: ReadonlyArray<readonly [string, string, string]>): Array<StreamChunkResult | typeof NOT_RUN> {
  const until = Date.now() + BATCH_BUDGET_MS;
  const answers: Array<StreamChunkResult | typeof NOT_RUN> = [];
  for (const [invocationId, chunkJson, resultKey] of batch) {
    answers.push(answers.length > 0 && Date.now() > until ? NOT_RUN : streamChunk(invocationId, chunkJson, resultKey));
  }
  return answers;
}

/**
 * Ends a stream session: aborts its `ctx.signal` (nothing more will come) and forgets it.
 *
 * @example
 * __sluice_runtime.closeStreamSession("inv-7");
 */
export function closeStreamSession(invocationId: string): void {
  const session = sessions.get(invocationId);
  if (!session) return;
  sessions.delete(invocationId);
  endInvocation(invocationId, session.handle);
  // Background work (`ctx.waitUntil`) keeps its signal until it settles or is cut.
  if (!isInvocationRunning(invocationId)) session.handle.abort("The response has ended");
}

function encode(result: unknown, event: Record<string, unknown>): string | null {
  if (result === null) return null;
  const text = JSON.stringify(checkBody("stream", result, event));
  if (text.length > MAX_RESULT_LENGTH) {
    throw new SluiceError("PLUGIN_ERROR", `What stream returned is ${text.length} characters of JSON; the limit is ${MAX_RESULT_LENGTH}`);
  }
  return text;
}

function failure(error: unknown): { ok: false; error: InvokeError } {
  return { ok: false, error: toInvokeError(error) };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
