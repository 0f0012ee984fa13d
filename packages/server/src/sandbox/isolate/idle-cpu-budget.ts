export interface IdleCpuBudgetOptions {
  /** CPU the isolate may use between calls within one window, in milliseconds. */
  budgetMs: number;
  /** The sliding window, in milliseconds. */
  windowMs: number;
  /** CPU time the isolate has used so far, in milliseconds. */
  cpuTimeMs(): number;
  /** True while a call (or stream session) is in flight. */
  isBusy(): boolean;
  /** Called once when the isolate used more than the budget between calls; the meter has stopped. */
  onExceeded(usedMs: number): void;
}

const SAMPLES_PER_WINDOW = 10;

/**
 * Counts the CPU an isolate uses while no call is in flight: what its timers (`setInterval`,
 * `setTimeout`) run between calls. Calls have their own time limits; timer callbacks do not, so a
 * plugin could otherwise spin a core for ever from a `setInterval`. Sampled at a tenth of the
 * window; a sample during which a call ran is not counted.
 */
export class IdleCpuBudget {
  readonly #options: IdleCpuBudgetOptions;
  readonly #samples: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastCpuMs = 0;
  #wasBusy = false;

  constructor(options: IdleCpuBudgetOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    this.#lastCpuMs = this.#options.cpuTimeMs();
    this.#timer = setInterval(() => this.#sample(), this.#options.windowMs / SAMPLES_PER_WINDOW);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A call started: the current sample is not idle time. */
  noteCall(): void {
    this.#wasBusy = true;
  }

  #sample(): void {
    const cpuMs = this.#options.cpuTimeMs();
    const usedMs = cpuMs - this.#lastCpuMs;
    this.#lastCpuMs = cpuMs;
    const wasBusy = this.#wasBusy || this.#options.isBusy();
    this.#wasBusy = false;
    this.#samples.push(wasBusy ? 0 : usedMs);
    if (this.#samples.length > SAMPLES_PER_WINDOW) this.#samples.shift();
    const idleMs = this.#samples.reduce((sum, sample) => sum + sample, 0);
    if (idleMs > this.#options.budgetMs) {
      this.stop();
      this.#options.onExceeded(idleMs);
    }
  }
}
