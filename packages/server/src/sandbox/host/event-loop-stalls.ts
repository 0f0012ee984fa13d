/** How often the watch looks at the event loop while a clock runs (ms). */
const TICK_MS = 10;
/** A turn this much later than due is the server's stall, not ordinary load (ms). */
const TOLERANCE_MS = 20;

let recordedMs = 0;
let lastTick = 0;
let timer: NodeJS.Timeout | undefined;
let watchers = 0;

/**
 * Milliseconds the server's event loop has stood still so far (turns later than due by more than
 * a tolerance), counted only while some clock watches: a stall that is going on right now counts
 * up to this moment. While the loop stands still the host can neither hand a plugin anything (a
 * host answer, a timer) nor read what it answered, so an `InvocationClock` leaves that time out
 * of the plugin's own.
 */
export function stalledMs(): number {
  if (!timer) return recordedMs;
  return recordedMs + lateness(performance.now());
}

/** Starts watching for stalls (counted: each call needs one {@link unwatchStalls}). */
export function watchStalls(): void {
  watchers += 1;
  if (timer) return;
  lastTick = performance.now();
  timer = setInterval(tick, TICK_MS);
  timer.unref();
}

export function unwatchStalls(): void {
  watchers = Math.max(watchers - 1, 0);
  if (watchers > 0 || !timer) return;
  tick();
  clearInterval(timer);
  timer = undefined;
}

function tick(): void {
  const now = performance.now();
  recordedMs += lateness(now);
  lastTick = now;
}

function lateness(now: number): number {
  return Math.max(now - lastTick - TICK_MS - TOLERANCE_MS, 0);
}
