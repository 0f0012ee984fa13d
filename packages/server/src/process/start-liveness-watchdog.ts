import { Worker } from "node:worker_threads";

export interface LivenessWatchdogOptions {
  /** How long the event loop may stand still before the process is ended. */
  stallLimitMs: number;
  /** How often the event loop proves it turns. Default: a tenth of the limit, at most 1 s. */
  beatIntervalMs?: number;
}

// Runs in a worker thread, which keeps running when the main thread is stuck. It reads the main
// thread's last heartbeat from shared memory and ends the process when it is too old.
const WATCHER_SOURCE = `
const { workerData } = process.getBuiltinModule("node:worker_threads");
const { writeSync } = process.getBuiltinModule("node:fs");
const beat = new Float64Array(workerData.buffer);
setInterval(() => {
  const stalledMs = Date.now() - beat[0];
  if (stalledMs <= workerData.stallLimitMs) return;
  try {
    writeSync(2, "Sluice: the server's event loop has not turned for " + Math.round(stalledMs / 1000) + " s (the limit is " + workerData.stallLimitMs / 1000 + " s); exiting at once for the supervisor to restart the server\\n");
  } catch {}
  process.kill(process.pid, "SIGKILL");
}, workerData.checkIntervalMs);
`;

/**
 * Ends the process (SIGKILL, for its supervisor to restart it) when its event loop stops turning
 * for `stallLimitMs`: nothing in Sluice blocks the loop for long, so a loop that stands still is a
 * server that hangs (a thread isolated-vm suspended, a native call that never returns), and a hung
 * process that is still alive is never restarted. Returns a function that stops the watchdog.
 *
 * @example
 * const stop = startLivenessWatchdog({ stallLimitMs: 60_000 });
 */
export function startLivenessWatchdog(options: LivenessWatchdogOptions): () => void {
  const beatIntervalMs = options.beatIntervalMs ?? Math.min(1000, Math.max(10, options.stallLimitMs / 10));
  const buffer = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT);
  const beat = new Float64Array(buffer);
  beat[0] = Date.now();
  const heartbeat = setInterval(() => {
    beat[0] = Date.now();
  }, beatIntervalMs);
  heartbeat.unref();
  const watcher = new Worker(WATCHER_SOURCE, {
    eval: true,
    env: {},
    execArgv: [],
    workerData: { buffer, stallLimitMs: options.stallLimitMs, checkIntervalMs: beatIntervalMs },
  });
  watcher.unref();
  return () => {
    clearInterval(heartbeat);
    void watcher.terminate();
  };
}
