import { writeSync } from "node:fs";

/**
 * Ends the process now, for its supervisor to start it again: writes `message` to stderr and
 * sends the process SIGKILL. Used when the server cannot go on safely (a plugin isolate that
 * isolated-vm lost control of, an event loop that stopped turning). `process.exit` is not enough
 * there: it waits for the thread isolated-vm suspended, and never returns.
 */
export function exitAtOnce(message: string): never {
  try {
    writeSync(2, `Sluice: ${message}; exiting at once for the supervisor to restart the server\n`);
  } catch {
    // stderr is gone; exit all the same.
  }
  process.kill(process.pid, "SIGKILL");
  // SIGKILL is delivered before kill() returns to a single-threaded caller; this is for the types.
  throw new Error("unreachable");
}
