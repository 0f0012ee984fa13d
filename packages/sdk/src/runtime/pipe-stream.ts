import { SluiceError } from "../errors.ts";
import { endInvocation, startInvocation } from "./abort-invocation.ts";
import { backgroundAnnouncement } from "./background-work.ts";
import type { AbortHandle } from "./abort-handle.ts";
import { assertJsonValue } from "./assert-json-value.ts";
import { createContext } from "./create-context.ts";
import { describeValue, isPlainObject } from "./describe-value.ts";
import { registeredPlugin } from "./register-plugin.ts";
import { checkHookExists, checkResult, requireObject } from "./run-hook.ts";
import { serializeResult } from "./serialize-result.ts";
import { toInvokeError } from "./to-invoke-error.ts";
import type { InvokeError, InvokeRequest, SluiceHost } from "./types.ts";

/** What `startPipe` resolves to: a plain value, or a stream to pull with `pullPipe`. */
export type PipeStartResult =
  { ok: true; kind: "value"; value: unknown } | { ok: true; kind: "stream" } | { ok: false; error: InvokeError };

/** What `pullPipe` resolves to: the next chunk, the end of the stream, or a failure. */
export type PipePullResult = { ok: true; done: false; value: unknown } | { ok: true; done: true } | { ok: false; error: InvokeError };

interface RunningPipe {
  iterator: AsyncIterator<unknown> | Iterator<unknown>;
  isAsync: boolean;
  handle: AbortHandle;
  count: number;
}

const pipes = new Map<string, RunningPipe>();

/**
 * Runs a pipe's `pipe(body, ctx)` for streaming: a returned string or object is the value; a
 * returned (async) iterable is kept under the invocation id and read one chunk per `pullPipe`, so
 * the plugin produces a chunk only when the host has taken the previous one. Resolves with the
 * JSON text of a {@link PipeStartResult}; never rejects.
 *
 * @example
 * await __sluice_runtime.startPipe({ invocationId: "inv-3", hook: "pipe", payload: body, context }); // '{"ok":true,"kind":"stream"}'
 */
export async function startPipe(request: InvokeRequest): Promise<string> {
  const result = await start(request);
  await untilAnnounced(request?.invocationId);
  return serializeResult(result, "What pipe returned");
}

/** Before an answer that may end the call: the host must learn of its background work first. */
async function untilAnnounced(invocationId: string): Promise<void> {
  const announcement = backgroundAnnouncement(invocationId);
  if (announcement) await announcement;
}

async function start(request: InvokeRequest): Promise<PipeStartResult> {
  const invocationId = request?.invocationId;
  let handle: AbortHandle | undefined;
  try {
    const plugin = registeredPlugin();
    if (!plugin) throw new SluiceError("PLUGIN_LOAD_FAILED", "No plugin is registered in this isolate");
    const host = (globalThis as { __sluice_host?: SluiceHost }).__sluice_host;
    if (!host) throw new SluiceError("INTERNAL", "The host capabilities (globalThis.__sluice_host) are missing");
    const pipeRequest = { ...request, hook: "pipe" as const };
    checkHookExists(plugin, pipeRequest);
    handle = startInvocation(invocationId);
    const ctx = createContext(plugin, pipeRequest, host, handle.signal);
    const result = await untilAborted(plugin.hooks.pipe!(requireObject("pipe", request.payload), ctx), handle.signal);
    const iterator = iteratorOf(result);
    if (!iterator) {
      endInvocation(invocationId, handle);
      return { ok: true, kind: "value", value: typeof result === "string" ? result : checkResult("pipe", result) };
    }
    pipes.set(invocationId, { ...iterator, handle, count: 0 });
    return { ok: true, kind: "stream" };
  } catch (error) {
    if (handle) endInvocation(invocationId, handle);
    return { ok: false, error: toInvokeError(error) };
  }
}

/**
 * The next chunk of a streaming pipe (a string or a `chat.completion.chunk` object), as the JSON
 * text of a {@link PipePullResult}. After the last chunk, a failure or `stopPipe` the stream is
 * closed. Never rejects.
 *
 * @example
 * await __sluice_runtime.pullPipe("inv-3"); // '{"ok":true,"done":false,"value":"Hel"}'
 */
export async function pullPipe(invocationId: string): Promise<string> {
  const pipe = pipes.get(invocationId);
  const result = await pull(invocationId, pipe);
  await untilAnnounced(invocationId);
  return serializeResult(result, `chunk[${pipe?.count ?? 0}] of what pipe yielded`);
}

/** Answers of pulls started by `pullPipes` / `addPulls`, not taken by the host yet: `[invocationId, answer]`. */
const answered: Array<[string, string]> = [];
/** Wakes the `pullPipes` crossing waiting for an answer, if one is. */
let wake: (() => void) | undefined;

function startPulls(invocationIds: readonly string[]): void {
  for (const invocationId of invocationIds) {
    const id = String(invocationId);
    void pullPipe(id).then((answer) => {
      answered.push([id, answer]);
      wake?.();
    });
  }
}

/**
 * Pulls the next chunk of each of these streams, as `pullPipe` does, and resolves once any pull
 * (of these or of earlier `pullPipes` / `addPulls` calls) has its answer, with every answer there
 * is by then. One crossing carries the answers of many streams, and a stream whose chunk takes
 * long does not hold up the others: the host sends their next pulls with `addPulls` while this
 * one waits. The host keeps one `pullPipes` waiting at a time.
 *
 * @example
 * await __sluice_runtime.pullPipes(["inv-3", "inv-4"]); // [["inv-4", '{"ok":true,"done":false,"value":"Hel"}']]
 */
export async function pullPipes(invocationIds: readonly string[]): Promise<Array<[string, string]>> {
  startPulls(invocationIds);
  if (answered.length === 0) {
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
  return answered.splice(0);
}

/**
 * Pulls the next chunk of each of these streams while a `pullPipes` waits: their answers wake it.
 *
 * @example
 * __sluice_runtime.addPulls(["inv-5"]);
 */
export function addPulls(invocationIds: readonly string[]): void {
  startPulls(invocationIds);
}

async function pull(invocationId: string, pipe: RunningPipe | undefined): Promise<PipePullResult> {
  if (!pipe) return { ok: false, error: { code: "INVALID_INPUT", message: "This pipe stream is closed" } };
  try {
    pipe.handle.signal.throwIfAborted();
    const step = await untilAborted(pipe.iterator.next(), pipe.handle.signal);
    if (step.done) {
      close(invocationId, pipe);
      return { ok: true, done: true };
    }
    const chunk = pipe.isAsync ? step.value : await step.value;
    if (typeof chunk !== "string" && !isPlainObject(chunk)) {
      throw new SluiceError("PLUGIN_ERROR", `pipe yielded ${describeValue(chunk)}; yield strings or chat.completion.chunk objects`);
    }
    assertJsonValue(chunk, "What pipe yielded", `chunk[${pipe.count}]`);
    pipe.count += 1;
    return { ok: true, done: false, value: chunk };
  } catch (error) {
    if (pipes.get(invocationId) === pipe) stop(invocationId, pipe, error);
    return { ok: false, error: toInvokeError(error) };
  }
}

/**
 * Stops a streaming pipe early (the client went away, the host stopped reading): aborts its
 * `ctx.signal` and calls the iterator's `return()`, so `finally` blocks run. False when no such
 * stream is open.
 *
 * @example
 * __sluice_runtime.stopPipe("inv-3", "The client disconnected");
 */
export function stopPipe(invocationId: string, reason?: string): boolean {
  const pipe = pipes.get(invocationId);
  if (!pipe) return false;
  stop(invocationId, pipe, reason ?? "The stream was stopped");
  return true;
}

function stop(invocationId: string, pipe: RunningPipe, reason: unknown): void {
  pipe.handle.abort(reason);
  close(invocationId, pipe);
  try {
    const returned = pipe.iterator.return?.();
    if (returned && typeof (returned as Promise<unknown>).then === "function") (returned as Promise<unknown>).then(undefined, () => {});
  } catch {
    // The plugin's cleanup failed; the stream is over either way.
  }
}

function close(invocationId: string, pipe: RunningPipe): void {
  pipes.delete(invocationId);
  endInvocation(invocationId, pipe.handle);
}

// Settles with `work`, or rejects with the abort reason as soon as the call is stopped: the host
// is then not left waiting on a plugin that ignores its signal.
function untilAborted<T>(work: T | Promise<T>, signal: AbortHandle["signal"]): Promise<T> {
  if (!(work instanceof Promise)) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort);
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function iteratorOf(result: unknown): { iterator: AsyncIterator<unknown> | Iterator<unknown>; isAsync: boolean } | null {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return null;
  const iterable = result as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  if (typeof iterable[Symbol.asyncIterator] === "function") return { iterator: iterable[Symbol.asyncIterator]!(), isAsync: true };
  if (typeof iterable[Symbol.iterator] === "function") return { iterator: iterable[Symbol.iterator]!(), isAsync: false };
  return null;
}
