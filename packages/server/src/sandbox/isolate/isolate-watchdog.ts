export interface IsolateWatchdogOptions {
  /** Queues a no-op task in the isolate; settles once the isolate has run it. */
  probe(): Promise<unknown>;
  /** How long the isolate may leave a probe waiting before it counts as stuck. */
  stallLimitMs(): number;
  /** Called once when a probe waited longer than the limit; the watchdog has stopped. */
  onStall(stalledMs: number): void;
  /**
   * CPU time the isolate has used so far, in milliseconds. A probe left waiting only counts as
   * stuck while the isolate itself was running: when the server's own event loop was busy, the
   * answer may just not have been read yet.
   */
  cpuTimeMs?(): number;
  intervalMs: number;
}

/**
 * Notices an isolate that stopped responding. isolated-vm's `timeout` only covers the synchronous
 * part of a call: code that runs after an `await` on a host promise (a loop after `ctx.emit`, a
 * timer callback) runs without a deadline, and then nothing but `dispose()` stops it. Since tasks
 * in an isolate run one at a time, a no-op probe left waiting longer than any call may take means
 * the isolate is stuck.
 */
export class IsolateWatchdog {
  readonly #options: IsolateWatchdogOptions;
  #timer: NodeJS.Timeout | undefined;
  #probeSentAt: number | null = null;
  #cpuAtProbe = 0;

  constructor(options: IsolateWatchdogOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#check(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const now = performance.now();
    if (this.#probeSentAt === null) {
      this.#probeSentAt = now;
      this.#cpuAtProbe = this.#options.cpuTimeMs?.() ?? 0;
      const answered = (): void => {
        this.#probeSentAt = null;
      };
      this.#options.probe().then(answered, answered);
      return;
    }
    const sentAt = this.#probeSentAt;
    const stalledMs = now - sentAt;
    const limitMs = this.#options.stallLimitMs();
    const busyMs = this.#options.cpuTimeMs ? this.#options.cpuTimeMs() - this.#cpuAtProbe : stalledMs;
    // An idle isolate uses next to no CPU; a looping one, even on a crowded machine, a good share.
    if (stalledMs > limitMs && busyMs > limitMs / 10) {
      // After the server's own event loop stood still, the answer may be there but unread: answers
      // are read in the loop's I/O phase, after its timers, so look again once that phase ran.
      setImmediate(() => {
        if (this.#probeSentAt !== sentAt || !this.#timer) return;
        this.stop();
        this.#options.onStall(stalledMs);
      });
    }
  }
}
