/**
 * The time limit of one hook call, counted only while the call is the plugin's to finish: the
 * clock stops while the call waits for the host (an `emit`, `call` or `fetch` it made, or a
 * consumer that has not asked for the next chunk yet) and runs again when that wait ends. So a
 * hook waiting on a slow browser or a slow reader is not timed out, while a hook stuck on a
 * promise that never settles (or sleeping on timers) is, after `budgetMs` of its own time.
 */
export class InvocationClock {
  readonly budgetMs: number;
  /** Settles once the budget is used up; never rejects. */
  readonly expired: Promise<void>;
  #usedMs = 0;
  #runningSince: number | null = null;
  #waits = 0;
  #timer: NodeJS.Timeout | undefined;
  #isExpired = false;
  #isStopped = false;
  #expire!: () => void;

  constructor(budgetMs: number) {
    this.budgetMs = budgetMs;
    this.expired = new Promise((resolve) => {
      this.#expire = resolve;
    });
    this.#run();
  }

  get isExpired(): boolean {
    return this.#isExpired;
  }

  /** Milliseconds of the budget used so far. */
  get usedMs(): number {
    return this.#usedMs + (this.#runningSince === null ? 0 : performance.now() - this.#runningSince);
  }

  /** Stops the clock until the matching {@link resume}; nested waits keep it stopped. */
  pause(): void {
    this.#waits += 1;
    if (this.#waits === 1 && this.#runningSince !== null) {
      this.#usedMs += performance.now() - this.#runningSince;
      this.#runningSince = null;
      clearTimeout(this.#timer);
    }
  }

  resume(): void {
    if (this.#waits === 0) return;
    this.#waits -= 1;
    if (this.#waits === 0) this.#run();
  }

  /** Runs `work` with the clock stopped. */
  async waitFor<T>(work: T | Promise<T>): Promise<T> {
    this.pause();
    try {
      return await work;
    } finally {
      this.resume();
    }
  }

  /** The call is over: no expiry from now on. */
  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#timer);
  }

  #run(): void {
    if (this.#isStopped || this.#isExpired) return;
    this.#runningSince = performance.now();
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(this.budgetMs - this.#usedMs, 0) + 1);
    this.#timer.unref();
  }

  #onTimer(): void {
    if (this.#isStopped || this.#runningSince === null) return;
    if (this.usedMs < this.budgetMs) {
      this.#usedMs += performance.now() - this.#runningSince;
      this.#run();
      return;
    }
    this.#isExpired = true;
    this.#expire();
  }
}
