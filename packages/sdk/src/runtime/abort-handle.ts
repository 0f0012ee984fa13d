import type { PluginAbortSignal } from "../plugin-context.ts";

type AbortListener = (event: { type: "abort" }) => void;

/** A signal and the function that aborts it: a tiny `AbortController`, since isolates have none. */
export interface AbortHandle {
  signal: PluginAbortSignal;
  abort(reason?: unknown): void;
}

/** Creates an {@link AbortHandle}. The default reason is an `Error` named `AbortError`. */
export function createAbortHandle(): AbortHandle {
  const listeners = new Set<AbortListener>();
  let isAborted = false;
  let abortReason: unknown = undefined;
  const signal: PluginAbortSignal = {
    get aborted() {
      return isAborted;
    },
    get reason() {
      return abortReason;
    },
    onabort: null,
    addEventListener(type, listener) {
      if (type === "abort" && typeof listener === "function") listeners.add(listener);
    },
    removeEventListener(type, listener) {
      if (type === "abort") listeners.delete(listener);
    },
    throwIfAborted() {
      if (isAborted) throw abortReason;
    },
  };
  return {
    signal,
    abort(reason) {
      if (isAborted) return;
      isAborted = true;
      abortReason = toAbortReason(reason);
      const event = { type: "abort" as const };
      for (const listener of [signal.onabort, ...listeners]) {
        try {
          listener?.(event);
        } catch {
          // A failing listener must not stop the others, as with EventTarget.
        }
      }
      listeners.clear();
    },
  };
}

function toAbortReason(reason: unknown): unknown {
  if (reason !== undefined && typeof reason !== "string") return reason;
  const error = new Error(reason ?? "The operation was aborted");
  error.name = "AbortError";
  return error;
}
