/**
 * Knows when an isolate is certainly idle, so the sandbox may call into it synchronously.
 *
 * A synchronous call (`applySync`) blocks the server's event loop until the isolate is free, and
 * its `timeout` does not count that wait: measured here, a sync call into an isolate busy with
 * another call's 1.5 s of work returned after 1.45 s. The isolate may be running code whenever the
 * host has started something asynchronous in it, or settled something it was waiting for (a host
 * capability, a timer), so each such event marks it active. A no-op task queued behind that work
 * comes back only once the isolate has run everything before it; when it does and nothing new
 * happened meanwhile, the isolate is idle again.
 */
export class IsolateIdleTracker {
  readonly #probe: () => Promise<unknown>;
  #activity = 0;
  #isIdle = false;
  #isProbing = false;
  #isScheduled = false;
  #isStopped = false;

  /** `probe` queues a no-op task in the isolate and settles once the isolate has run it. */
  constructor(probe: () => Promise<unknown>) {
    this.#probe = probe;
  }

  get isIdle(): boolean {
    return this.#isIdle;
  }

  /**
   * An asynchronous call into the isolate is starting; pass the returned token to {@link callSettled}.
   * A call that settles with nothing else having happened since it started leaves the isolate idle
   * (it ran after everything queued before it), which spares a probe.
   */
  callStarted(): number {
    this.#activity += 1;
    this.#isIdle = false;
    return this.#activity;
  }

  callSettled(token: number): void {
    if (this.#activity === token && !this.#isStopped) this.#isIdle = true;
    else this.#scheduleProbe();
  }

  /** Something may run in the isolate from now on (a host capability or timer settled, a message was sent). */
  markActive(): void {
    this.#activity += 1;
    this.#isIdle = false;
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    if (this.#isIdle || this.#isProbing || this.#isScheduled || this.#isStopped) return;
    // Deferred: the isolate's own task for what just settled is queued by isolated-vm in a later
    // microtask, and the probe must be queued after it.
    this.#isScheduled = true;
    setImmediate(() => {
      this.#isScheduled = false;
      this.#sendProbe();
    });
  }

  stop(): void {
    this.#isStopped = true;
    this.#isIdle = false;
  }

  #sendProbe(): void {
    if (this.#isStopped) return;
    this.#isProbing = true;
    const activity = this.#activity;
    const answered = (): void => {
      this.#isProbing = false;
      if (this.#isStopped) return;
      if (this.#activity === activity) this.#isIdle = true;
      else this.#sendProbe();
    };
    this.#probe().then(answered, () => {
      this.#isProbing = false; // the isolate is gone
    });
  }
}
