import { createAbortHandle, type AbortHandle } from "./abort-handle.ts";

const running = new Map<string, AbortHandle>();

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
  if (running.get(invocationId) === handle) running.delete(invocationId);
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
