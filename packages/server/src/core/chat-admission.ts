export interface ChatAdmissionLimits {
  /** Turns running at once; 0 = no limit. */
  maxRunning: number;
  /** Requests waiting for a slot; past it a request is refused at once. 0 = none waits. */
  maxWaiting: number;
  /** Longest wait for a slot, in ms; then the request is refused. */
  maxWaitMs: number;
  /** Clock for the turns' durations (the Retry-After estimate); `performance.now` by default. */
  now?: () => number;
}

/** Why a request got no slot: the queue was full, its wait ran out, or this process is stopping. */
export type RefusalReason = "busy" | "timed-out" | "stopping";

export type Admission =
  | {
      isAdmitted: true;
      /** Gives the slot back (to the first waiting request, if any); once is enough, twice is harmless. */ release: () => void;
    }
  | { isAdmitted: false; reason: RefusalReason; /** When a retry has a fair chance, for `Retry-After`. */ retryAfterSeconds: number }
  /** The request's signal was aborted while it waited (its client went away): nobody to answer. */
  | { isAdmitted: false; reason: "cancelled" };

interface Waiter {
  admit: () => void;
  refuse: (reason: RefusalReason) => void;
}

/** Before any turn has ended, a turn is guessed to hold its slot this long. */
const GUESSED_TURN_SECONDS = 10;
/** Weight of the latest turn in the running average of turn durations. */
const AVERAGE_WEIGHT = 0.1;
/** `Retry-After` stays within what clients honour (the `openai` SDKs retry a 503 after it when it is at most 60 s). */
const MAX_RETRY_AFTER_SECONDS = 60;

/**
 * Admission control for chat turns in one server process: at most `maxRunning` turns run at
 * once; the next ones wait in arrival order, at most `maxWaiting` of them and for at most
 * `maxWaitMs`, and are refused past either (the route answers 503 with `Retry-After`).
 *
 * A slot is held for the whole turn, not only its start: what makes running chats stutter is
 * the per-chunk work of all the chats streaming at once (stream filters, SSE writes), so bounding
 * the number running bounds it, and a new turn can start only when one ends. Limiting starts
 * alone would not: a start lasts until the model's first token, which is the upstream's time
 * rather than ours, so a small start limit would throttle on a slow model while a large one
 * would let streams pile up without bound.
 *
 * @example
 * const admission = new ChatAdmission({ maxRunning: 500, maxWaiting: 500, maxWaitMs: 30_000 });
 * const slot = await admission.admit(signal);
 * if (slot.isAdmitted) try { await runTurn(); } finally { slot.release(); }
 */
export class ChatAdmission {
  readonly #limits: ChatAdmissionLimits;
  readonly #now: () => number;
  /** In arrival order: a Set keeps insertion order and forgets a leaver in O(1). */
  readonly #waiting = new Set<Waiter>();
  #running = 0;
  #isStopping = false;
  #averageTurnSeconds = GUESSED_TURN_SECONDS;

  constructor(limits: ChatAdmissionLimits) {
    this.#limits = limits;
    this.#now = limits.now ?? (() => performance.now());
  }

  /** Turns holding a slot now. */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * A slot at once when one is free (and nobody waits before), else a place in the queue
   * (`onWait` is called then), else a refusal.
   */
  admit(signal: AbortSignal, onWait?: () => void): Promise<Admission> {
    if (signal.aborted) return Promise.resolve({ isAdmitted: false, reason: "cancelled" });
    if (this.#isStopping) return Promise.resolve(this.#refusal("stopping"));
    if (this.#hasFreeSlot() && this.#waiting.size === 0) return Promise.resolve(this.#take());
    if (this.#waiting.size >= this.#limits.maxWaiting) return Promise.resolve(this.#refusal("busy"));
    return new Promise((resolve) => {
      const leave = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.#waiting.delete(waiter);
      };
      const waiter: Waiter = {
        admit: () => {
          leave();
          resolve(this.#take());
        },
        refuse: (reason) => {
          leave();
          resolve(this.#refusal(reason));
        },
      };
      const onAbort = () => {
        leave();
        resolve({ isAdmitted: false, reason: "cancelled" });
      };
      const timer = setTimeout(() => waiter.refuse("timed-out"), this.#limits.maxWaitMs);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.add(waiter);
      onWait?.();
    });
  }

  /** The process is stopping: refuses the waiting requests and every later one, so none starts a turn the stop would cut. */
  stop(): void {
    this.#isStopping = true;
    for (const waiter of [...this.#waiting]) waiter.refuse("stopping");
  }

  #hasFreeSlot(): boolean {
    return this.#limits.maxRunning === 0 || this.#running < this.#limits.maxRunning;
  }

  #take(): Admission {
    this.#running += 1;
    const startedAt = this.#now();
    let isReleased = false;
    return {
      isAdmitted: true,
      release: () => {
        if (isReleased) return;
        isReleased = true;
        this.#running -= 1;
        const seconds = (this.#now() - startedAt) / 1000;
        this.#averageTurnSeconds += AVERAGE_WEIGHT * (seconds - this.#averageTurnSeconds);
        const next = this.#waiting.values().next();
        if (!next.done && this.#hasFreeSlot()) next.value.admit();
      },
    };
  }

  #refusal(reason: RefusalReason): Admission {
    return { isAdmitted: false, reason, retryAfterSeconds: this.#retryAfterSeconds() };
  }

  /**
   * About when the last request waiting now would get a slot: slots free up at `maxRunning`
   * per average turn, and everyone waiting goes first. Between 1 and 60 s.
   */
  #retryAfterSeconds(): number {
    const slots = this.#limits.maxRunning === 0 ? 1 : this.#limits.maxRunning;
    const seconds = Math.ceil((this.#averageTurnSeconds * (this.#waiting.size + 1)) / slots);
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds));
  }
}
