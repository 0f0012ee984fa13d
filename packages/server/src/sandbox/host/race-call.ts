/** How a call into a plugin ended, as {@link raceCall} reports it. */
export type CallSettled<T> = { value: T } | { error: unknown } | { stop: "timeout" | "abort" };

export interface AwaitCallOptions {
  /** The caller's signal: when it aborts, `onAbort` runs and the wait ends after `abortGraceMs`. */
  signal?: AbortSignal;
  /** Tells the plugin (its `ctx.signal`) that the caller has gone. */
  onAbort?: (reason: Error) => void;
  /** How long `work` may still finish after the abort. Default 0. */
  abortGraceMs?: number;
}

/** The reason a caller's signal aborted with, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(reason === undefined ? "The operation was aborted" : String(reason));
  error.name = "AbortError";
  return error;
}

/**
 * Races a call into a plugin (over any transport) against its clock (`expired`) and the caller's
 * signal (which wins only once the grace period passed without the call settling). `awaitCall`
 * decides what a timeout means; this only says which came first. `outcome` is the call's own
 * result, never left with an unobserved rejection, for a look after a timeout.
 */
export async function raceCall<T>(
  work: Promise<T>,
  expired: Promise<unknown> | undefined,
  options: AwaitCallOptions = {},
): Promise<{ settled: CallSettled<T>; outcome: Promise<CallSettled<T>> }> {
  const { signal } = options;
  const outcome: Promise<CallSettled<T>> = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const racers: Array<Promise<CallSettled<T>>> = [outcome];
  if (expired) racers.push(expired.then(() => ({ stop: "timeout" as const })));
  let onAbort: (() => void) | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  if (signal) {
    racers.push(
      new Promise((resolve) => {
        onAbort = () => {
          options.onAbort?.(abortReason(signal));
          graceTimer = setTimeout(() => resolve({ stop: "abort" }), options.abortGraceMs ?? 0);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }),
    );
  }
  try {
    return { settled: await Promise.race(racers), outcome };
  } finally {
    clearTimeout(graceTimer);
    if (onAbort) signal!.removeEventListener("abort", onAbort);
  }
}
