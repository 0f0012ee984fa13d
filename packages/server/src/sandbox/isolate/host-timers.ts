import type { HostResult } from "@sluice/sdk/runtime";

// setTimeout treats a longer delay as 1 ms; a plugin asking for "forever" should wait, not spin.
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The host side of a sandbox's timers shim: `sleep(ms)` resolves after the delay. Timers are
 * unref'd (a plugin's debounce must not keep the server alive), counted (a plugin cannot queue
 * unbounded host timers) and cleared when the sandbox goes away.
 */
export class HostTimers {
  readonly #pending = new Set<NodeJS.Timeout>();
  readonly #maxPending: number;

  constructor(maxPending = 10_000) {
    this.#maxPending = maxPending;
  }

  sleep(milliseconds: unknown): Promise<HostResult<null>> {
    if (this.#pending.size >= this.#maxPending) {
      return Promise.resolve({
        ok: false,
        error: { code: "PLUGIN_ERROR", message: `Too many pending timers (the limit is ${this.#maxPending})` },
      });
    }
    const requested = Number(milliseconds);
    const delay = Number.isFinite(requested) ? Math.min(Math.max(requested, 0), MAX_DELAY_MS) : 0;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve({ ok: true, value: null });
      }, delay);
      timer.unref();
      this.#pending.add(timer);
    });
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Drops every pending timer; their sleeps never resolve (their isolate is gone). */
  clear(): void {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }
}
