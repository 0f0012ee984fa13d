// Timing and statistics helpers shared by the benchmarks. Plain loops over performance.now():
// every figure is a median over several repeats, each repeat an average over many operations.

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Rounds for the report: 3 significant digits below 100, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value);
  if (magnitude >= 10) return Math.round(value * 10) / 10;
  if (magnitude >= 1) return Math.round(value * 100) / 100;
  return Math.round(value * 1000) / 1000;
}

/** A figure measured several times: the median, the spread and how many repeats. */
export interface Repeated {
  median: number;
  min: number;
  max: number;
  repeats: number;
}

export function summarise(values: readonly number[]): Repeated {
  return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), repeats: values.length };
}

/**
 * Runs `operation` `count` times and returns the microseconds per operation. An operation may
 * return a promise (awaited) or a plain value (not awaited: synchronous fast paths are timed as
 * such). Afterwards (untimed) the event loop turns, as a server's does between chunks: a loop that
 * never yields starves the sandbox's idle tracker and watchdog.
 */
async function microsecondsPerOperation(count: number, operation: (index: number) => unknown): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const outcome = operation(index);
    if (outcome instanceof Promise) await outcome;
  }
  const microseconds = ((performance.now() - started) * 1000) / count;
  await nextTick();
  return microseconds;
}

/**
 * Measures several variants in rotation, one repeat of each in turn (so that noise from other
 * processes falls on all of them alike), and returns each one's series in microseconds per operation.
 */
export async function alternating<Name extends string>(
  count: number,
  repeats: number,
  variants: Record<Name, (index: number) => unknown>,
): Promise<Record<Name, number[]>> {
  const names = Object.keys(variants) as Name[];
  const series = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    for (const name of names) series[name].push(await microsecondsPerOperation(count, variants[name]));
  }
  return series;
}

/** Per repeat, `subject − baseline` (optionally divided), summarised: pairs from the same rotation. */
export function pairedDifference(subject: readonly number[], baseline: readonly number[], divisor = 1): Repeated {
  return summarise(subject.map((value, index) => (value - baseline[index]!) / divisor));
}

/** Lets timers, I/O and the isolates' settling callbacks run (a new macrotask). */
export function nextTick(milliseconds = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
