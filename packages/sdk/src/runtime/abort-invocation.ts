import { createAbortHandle, type AbortHandle } from "./abort-handle.ts";

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
 * Aborts the `ctx.signal` of a running invocation (client gone, timeout). Returns false when no
 * such invocation is running.
 *
 * @example
 * __sluice_runtime.abortInvocation("inv-42", "The client disconnected");
 */
export function abortInvocation(invocationId: string, reason?: string): boolean {
  const handle = running.get(invocationId);
  if (!handle) return false;
  handle.abort(reason);
  return true;
}
