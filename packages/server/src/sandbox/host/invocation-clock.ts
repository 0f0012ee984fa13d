import { stalledMs, unwatchStalls, watchStalls } from "./event-loop-stalls.ts";

/** The backstop of a call, as a multiple of its limit (see {@link InvocationClock}). */
export const BACKSTOP_FACTOR = 10;

export interface InvocationClockOptions {
  /**
   * False: the call's own time starts only with {@link InvocationClock.start}, when the transport
   * reports that the plugin has run the call's synchronous part (until then only the backstop
   * runs). Default true: it starts at once.
   */
  started?: boolean;
  /**
   * Limit of the time from now, counted whether or not the call's own time started (host waits
   * and the server's stalls left out); default {@link BACKSTOP_FACTOR} × `budgetMs`.
   */
  backstopMs?: number;
}

/**
 * The time limit of one hook call, counted only while the call is the plugin's to finish: the
 * clock stops while the call waits for the host (an `emit`, `call` or `fetch` it made, or a
 * consumer that has not asked for the next chunk yet) and runs again when that wait ends. So a
 * hook waiting on a slow browser or a slow reader is not timed out, while a hook stuck on a
 * promise that never settles (or sleeping on timers) is, after `budgetMs` of its own time.
 *
 * Nor is the plugin charged for the server's own delays: time the server's event loop stood still
 * (event-loop-stalls.ts) is left out, and a transport whose plugin side bounds synchronous code by
 * itself (isolated-vm's `timeout`, counted from when the isolate starts the task) starts the clock
 * only once that part has run, so time spent in queues before it is not counted either. A
 * backstop (`backstopMs` from construction, queues included, host waits and stalls left out) ends
 * the call whatever the reason it takes so long. Stalls can be left out of it too: they end by
 * themselves (nothing runs on the server meanwhile, and the backstop grows again once the loop
 * turns), and answers that came during one are read as soon as it ends.
 */
export class InvocationClock {
  readonly budgetMs: number;
  readonly backstopMs: number;
  /** Settles once the budget (or the backstop) is used up; never rejects. */
  readonly expired: Promise<void>;
  #ownMs = 0;
  #elapsedMs = 0;
  #isStarted: boolean;
  #runningSince: number | null = null;
  #stalledAtRun = 0;
  #waits = 0;
  #timer: NodeJS.Timeout | undefined;
  #expiredBy: "budget" | "backstop" | undefined;
  #isStopped = false;
  #expire!: () => void;

  constructor(budgetMs: number, options: InvocationClockOptions = {}) {
    this.budgetMs = budgetMs;
    this.backstopMs = options.backstopMs ?? budgetMs * BACKSTOP_FACTOR;
    this.#isStarted = options.started ?? true;
    this.expired = new Promise((resolve) => {
      this.#expire = resolve;
    });
    watchStalls();
    this.#run();
  }

  get isExpired(): boolean {
    return this.#expiredBy !== undefined;
  }

  /** What ran out: the call's own time, or the backstop; undefined while running. */
  get expiredBy(): "budget" | "backstop" | undefined {
    return this.#expiredBy;
  }

  /** True once the call's own time counts (see {@link InvocationClockOptions.started}). */
  get isStarted(): boolean {
    return this.#isStarted;
  }

  /** Milliseconds of the budget used so far. */
  get usedMs(): number {
    this.#fold();
    return this.#ownMs;
  }

  /** The call's own time starts now (the transport says the plugin ran its synchronous part). */
  start(): void {
    if (this.#isStarted || this.#isStopped || this.#expiredBy) return;
    this.#fold();
    this.#isStarted = true;
    if (this.#runningSince !== null) this.#schedule();
  }

  /** Stops the clock until the matching {@link resume}; nested waits keep it stopped. */
  pause(): void {
    this.#waits += 1;
    if (this.#waits === 1 && this.#runningSince !== null) {
      this.#fold();
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
    if (this.#isStopped) return;
    this.#isStopped = true;
    clearTimeout(this.#timer);
    if (!this.#expiredBy) unwatchStalls();
  }

  #run(): void {
    if (this.#isStopped || this.#expiredBy) return;
    this.#runningSince = performance.now();
    this.#stalledAtRun = stalledMs();
    this.#schedule();
  }

  /** Adds the time since the last look to what was used, the server's stalls left out of the plugin's own. */
  #fold(): void {
    if (this.#runningSince === null) return;
    const now = performance.now();
    const stalled = stalledMs();
    const counted = Math.max(now - this.#runningSince - (stalled - this.#stalledAtRun), 0);
    this.#elapsedMs += counted;
    if (this.#isStarted) this.#ownMs += counted;
    this.#runningSince = now;
    this.#stalledAtRun = stalled;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const untilBackstop = this.backstopMs - this.#elapsedMs;
    const untilBudget = this.#isStarted ? this.budgetMs - this.#ownMs : Infinity;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(Math.min(untilBackstop, untilBudget), 0) + 1);
    this.#timer.unref();
  }

  #onTimer(): void {
    if (this.#isStopped || this.#runningSince === null) return;
    this.#fold();
    if (this.#isStarted && this.#ownMs >= this.budgetMs) this.#expiredBy = "budget";
    else if (this.#elapsedMs >= this.backstopMs) this.#expiredBy = "backstop";
    else return this.#schedule();
    this.#runningSince = null;
    unwatchStalls();
    this.#expire();
  }
}
