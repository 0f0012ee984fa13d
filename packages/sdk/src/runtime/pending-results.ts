/**
 * Answer of a synchronous entry point whose work has not finished yet: the host takes the result
 * later with `takeResult` (one more synchronous call) or waits for it with `awaitResult`.
 */
export const PENDING = 0;

const inFlight = new Set<string>();
const settled = new Map<string, unknown>();
const waiting = new Map<string, (value: unknown) => void>();

/**
 * Keeps the outcome of `work` under `key` until the host takes it. `work` must never reject (the
 * runtime's entry points turn every failure into a result object).
 */
export function holdResult(key: string, work: Promise<unknown>): void {
  inFlight.add(key);
  void work.then((value) => {
    if (!inFlight.delete(key)) return; // forgotten: the host stopped waiting
    const resolve = waiting.get(key);
    if (resolve) {
      waiting.delete(key);
      resolve(value);
    } else {
      settled.set(key, value);
    }
  });
}

/**
 * The result held under `key` once it has settled, else {@link PENDING}. The microtasks queued by
 * a synchronous entry point run before its host call returns, so work that never waited for the
 * host has settled by the time the host asks: two synchronous calls instead of a promise round trip.
 *
 * @example
 * __sluice_runtime.takeResult("inv-1"); // { ok: true, value: body } or 0
 */
export function takeResult(key: string): unknown {
  if (!settled.has(key)) return PENDING;
  const value = settled.get(key);
  settled.delete(key);
  return value;
}

/**
 * Resolves with the result held under `key` when it settles (at once if it has). Resolves with
 * {@link PENDING} for a key that holds nothing or that is forgotten meanwhile.
 *
 * @example
 * await __sluice_runtime.awaitResult("inv-1");
 */
export function awaitResult(key: string): Promise<unknown> {
  if (settled.has(key)) return Promise.resolve(takeResult(key));
  if (!inFlight.has(key)) return Promise.resolve(PENDING);
  waiting.get(key)?.(PENDING);
  return new Promise((resolve) => waiting.set(key, resolve));
}

/**
 * Drops whatever is held under `key`, now and when it settles (the host gave up on the call).
 *
 * @example
 * __sluice_runtime.forgetResult("inv-1");
 */
export function forgetResult(key: string): void {
  inFlight.delete(key);
  settled.delete(key);
  waiting.get(key)?.(PENDING);
  waiting.delete(key);
}
