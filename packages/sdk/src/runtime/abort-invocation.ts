import { createAbortHandle, type AbortHandle } from "./abort-handle.ts";
import { cutBackgroundWork, deferEnd } from "./background-work.ts";

const running = new Map<string, AbortHandle>();
/** What to do when an invocation ends (close the response bodies it left unread). */
const endCallbacks = new Map<string, Set<() => void>>();

/**
 * Registers a running invocation and returns the handle that aborts its `ctx.signal`.
 *
 * @example
 * const handle = startInvocation(request.invocationId);
 */
export function startInvocation(invocationId: string): AbortHandle {
  const handle = createAbortHandle();
  running.set(invocationId, handle);
  return handle;
}

/**
 * Forgets a finished invocation.
 *
 * @example
 * endInvocation(request.invocationId, handle);
 */
export function endInvocation(invocationId: string, handle: AbortHandle): void {
  if (running.get(invocationId) !== handle) return;
  // Background work (`ctx.waitUntil`) keeps the invocation going until it settles or is cut.
  if (deferEnd(invocationId, () => finishInvocation(invocationId, handle))) return;
  finishInvocation(invocationId, handle);
}

/**
 * True while an invocation runs: its hook, then its background work (`ctx.waitUntil`).
 *
 * @example
 * if (!isInvocationRunning(invocationId)) throw new Error("The call has ended");
 */
export function isInvocationRunning(invocationId: string): boolean {
  return running.has(invocationId);
}

function finishInvocation(invocationId: string, handle: AbortHandle): void {
  if (running.get(invocationId) !== handle) return;
  running.delete(invocationId);
  const callbacks = endCallbacks.get(invocationId);
  if (!callbacks) return;
  endCallbacks.delete(invocationId);
  for (const callback of callbacks) callback();
}

/**
 * Calls `callback` when the invocation ends; returns a function that cancels that. Nothing is
 * called for an invocation that is not running.
 *
 * @example
 * const cancel = whenInvocationEnds(invocationId, () => host.fetchClose(invocationId, bodyId));
 */
export function whenInvocationEnds(invocationId: string, callback: () => void): () => void {
  if (!running.has(invocationId)) return () => {};
  const callbacks = endCallbacks.get(invocationId) ?? new Set();
  endCallbacks.set(invocationId, callbacks.add(callback));
  return () => {
    callbacks.delete(callback);
    if (callbacks.size === 0 && endCallbacks.get(invocationId) === callbacks) endCallbacks.delete(invocationId);
  };
}

/**
 * Aborts the `ctx.signal` of a running invocation (client gone, timeout); once its hook has
 * returned, this cuts its background work (`ctx.waitUntil`) and ends it. Returns false when no
 * such invocation is running.
 *
 * @example
 * __sluice_runtime.abortInvocation("inv-42", "The client disconnected");
 */
export function abortInvocation(invocationId: string, reason?: string): boolean {
  const handle = running.get(invocationId);
  if (!handle) return false;
  handle.abort(reason);
  // After the hook returned, aborting is the host cutting its background work (past its time limit).
  cutBackgroundWork(invocationId);
  return true;
}
