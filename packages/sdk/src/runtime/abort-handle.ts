import type { PluginAbortSignal } from "../plugin-context.ts";

type AbortListener = (event: { type: "abort" }) => void;

/**
 * A tiny `AbortSignal` (isolates have none) that its {@link AbortHandle} aborts. A class, so a
 * hook call that never looks at `ctx.signal` costs one small object.
 */
class Signal implements PluginAbortSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: AbortListener | null = null;
  #listeners: Set<AbortListener> | undefined;

  addEventListener(type: "abort", listener: AbortListener): void {
    if (type === "abort" && typeof listener === "function") (this.#listeners ??= new Set()).add(listener);
  }

  removeEventListener(type: "abort", listener: AbortListener): void {
    if (type === "abort") this.#listeners?.delete(listener);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Marks the signal aborted and tells the listeners, once. */
  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: "abort" as const };
    for (const listener of [this.onabort, ...(this.#listeners ?? [])]) {
      try {
        listener?.(event);
      } catch {
        // A failing listener must not stop the others, as with EventTarget.
      }
    }
    this.#listeners?.clear();
  }
}

/**
 * A signal and the function that aborts it: a tiny `AbortController`.
 *
 * @example
 * const { signal, abort }: AbortHandle = createAbortHandle();
 */
export interface AbortHandle {
  signal: PluginAbortSignal;
  abort(reason?: unknown): void;
}

/**
 * Creates an {@link AbortHandle}. The default reason is an `Error` named `AbortError`.
 *
 * @example
 * const handle = createAbortHandle();
 * handle.abort("client left");
 * handle.signal.aborted; // true
 */
export function createAbortHandle(): AbortHandle {
  const signal = new Signal();
  return { signal, abort: (reason) => signal.fire(toAbortReason(reason)) };
}

function toAbortReason(reason: unknown): unknown {
  if (reason !== undefined && typeof reason !== "string") return reason;
  const error = new Error(reason ?? "The operation was aborted");
  error.name = "AbortError";
  return error;
}
