export interface SignInThrottleOptions {
  /** Failures allowed before waits begin, per account and per address ×4. Default 5. */
  freeFailures?: number;
  /** Longest wait, in seconds. Default 300. */
  maxWaitSeconds?: number;
  /** Failures older than this are forgotten, in seconds. Default 900. */
  windowSeconds?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  lastAt: number;
  /** Until when attempts are refused (ms since the epoch). */
  blockedUntil: number;
}

/**
 * Slows down guessing: after `freeFailures` wrong passwords for one account (or four times as
 * many from one address, where a team may share it), each further failure doubles a wait — 1 s,
 * 2 s, 4 s … up to `maxWaitSeconds` — during which sign-ins for that account or from that address
 * are refused with 429 and `Retry-After`, right password or not. A success clears the account's
 * count. Kept in memory, per instance.
 */
export class SignInThrottle {
  readonly #freeFailures: number;
  readonly #maxWaitMs: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, Failures>();

  constructor(options: SignInThrottleOptions = {}) {
    this.#freeFailures = options.freeFailures ?? 5;
    this.#maxWaitMs = (options.maxWaitSeconds ?? 300) * 1000;
    this.#windowMs = (options.windowSeconds ?? 900) * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Seconds to wait before `email` may try again from `address`; 0 when it may try now. */
  waitSeconds(email: string, address: string): number {
    const now = this.#now();
    let until = 0;
    for (const key of this.#keys(email, address)) {
      const entry = this.#current(key, now);
      if (entry) until = Math.max(until, entry.blockedUntil);
    }
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  failed(email: string, address: string): void {
    const now = this.#now();
    const [accountKey, addressKey] = this.#keys(email, address);
    this.#count(accountKey!, now, this.#freeFailures);
    this.#count(addressKey!, now, this.#freeFailures * 4);
    if (this.#failures.size > 100_000) this.#forgetOld(now);
  }

  succeeded(email: string): void {
    this.#failures.delete(`account:${email}`);
  }

  #keys(email: string, address: string): [string, string] {
    return [`account:${email}`, `address:${address}`];
  }

  #current(key: string, now: number): Failures | undefined {
    const entry = this.#failures.get(key);
    if (entry && now - entry.lastAt > this.#windowMs && now >= entry.blockedUntil) {
      this.#failures.delete(key);
      return undefined;
    }
    return entry;
  }

  #count(key: string, now: number, free: number): void {
    const entry = this.#current(key, now) ?? { count: 0, lastAt: now, blockedUntil: 0 };
    entry.count += 1;
    entry.lastAt = now;
    if (entry.count >= free) entry.blockedUntil = now + Math.min(1000 * 2 ** (entry.count - free), this.#maxWaitMs);
    this.#failures.set(key, entry);
  }

  #forgetOld(now: number): void {
    for (const key of this.#failures.keys()) this.#current(key, now);
  }
}
