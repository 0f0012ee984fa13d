import { SluiceError } from "@sluice/sdk";
import { failedError, memoryLimitError, messageOf, timeoutError, unloadedWhileRunningError } from "../host/plugin-errors.ts";
import type { CallInfo } from "../host/plugin-transport.ts";
import { ChildExitedError, lastLine } from "./node-child.ts";

/** What the messages about a plugin's own process need: which plugin, its limits, and what runs it ("Node.js", "Python"). */
export interface ChildFailureContext {
  pluginId: string;
  timeoutMs: number;
  memoryLimitMb: number;
  processName: string;
}

/**
 * Why a plugin's process (trusted or Python tier) failed to load it: it ran past the load time,
 * out of memory, or ended, with the last line it wrote to stderr.
 *
 * @example
 * throw new SluiceError("PLUGIN_LOAD_FAILED", childLoadFailure(error, context), { pluginId, cause: error });
 */
export function childLoadFailure(error: unknown, context: ChildFailureContext): string {
  if (!(error instanceof ChildExitedError)) return messageOf(error);
  const { exit } = error;
  if (exit.reason?.kind === "load-timeout") return `Plugin did not finish loading within ${context.timeoutMs} ms`;
  if (exit.isOutOfMemory) return `Plugin ran out of memory while loading (the limit is ${context.memoryLimitMb} MB)`;
  const detail = lastLine(exit.stderrTail);
  return `The plugin's ${context.processName} process ended while loading (${exit.signal ?? `exit code ${exit.code}`})${detail ? `: ${detail}` : ""}`;
}

/**
 * A call's failure when the plugin runs in a process of its own: the process was killed for this
 * call's time limit or another's, unloaded, out of memory, or crashed (it starts again on the next call).
 */
export function childCallFailure(error: unknown, call: CallInfo, context: ChildFailureContext): SluiceError {
  if (SluiceError.isInstance(error)) return error;
  const { pluginId } = context;
  const { hook } = call;
  const details = { pluginId, hook };
  if (!(error instanceof ChildExitedError)) return failedError(details, error);
  const { exit } = error;
  const reason = exit.reason;
  if (reason?.kind === "timeout") {
    if (reason.invocationId === call.id) return timeoutError(details, call.timeoutMs);
    return new SluiceError(
      "PLUGIN_ERROR",
      `Plugin "${pluginId}" was stopped in ${hook}: its process was killed because ${reason.hook} ran past its time limit of ${reason.timeoutMs} ms`,
      { ...details, cause: error },
    );
  }
  if (reason?.kind === "disposed") return unloadedWhileRunningError(details, error);
  if (exit.isOutOfMemory) return memoryLimitError(details, context.memoryLimitMb, error);
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const detail = lastLine(exit.stderrTail);
  return new SluiceError(
    "PLUGIN_ERROR",
    `Plugin "${pluginId}" crashed in ${hook}: its ${context.processName} process ${how}${detail ? ` (${detail.slice(0, 300)})` : ""}; it starts again on the next call`,
    { ...details, cause: error },
  );
}
