import { ERROR_CODES, SluiceError, type ErrorCode } from "@sluice/sdk";
import type { InvocationClock } from "./invocation-clock.ts";

/** Which plugin and hook an error belongs to. */
export interface ErrorDetails {
  pluginId: string;
  hook: string;
}

/** An error as a plugin's runtime reports it (in an isolate or a child process): untrusted data. */
export interface RawRuntimeError {
  code?: unknown;
  message?: unknown;
  stack?: unknown;
}

/**
 * Turns the error a plugin's runtime reported (`{ code, message, stack }`, from code that shares
 * the runtime's sandbox, so any shape) into a SluiceError naming the plugin and hook. A code
 * outside the closed set becomes PLUGIN_ERROR; the plugin's own stack is kept as the cause, for
 * the server log (the SluiceError's stack is the host's).
 *
 * @example
 * runtimeError({ code: "VALVES_INVALID", message: "bad" }, { pluginId: "f", hook: "inlet" }); // SluiceError VALVES_INVALID
 */
export function runtimeError(raw: unknown, details: ErrorDetails): SluiceError {
  const error = (typeof raw === "object" && raw !== null ? raw : {}) as RawRuntimeError;
  const code = (ERROR_CODES as readonly unknown[]).includes(error.code) ? (error.code as ErrorCode) : "PLUGIN_ERROR";
  const message = typeof error.message === "string" ? error.message : `Plugin "${details.pluginId}" failed in ${details.hook}`;
  return new SluiceError(code, message, { ...details, cause: typeof error.stack === "string" ? { stack: error.stack } : undefined });
}

/** An answer from the runtime that is not what the host asked for. */
export function malformedResultError(details: ErrorDetails): SluiceError {
  return new SluiceError("PLUGIN_ERROR", `Plugin "${details.pluginId}" returned a malformed result from ${details.hook}`, details);
}

/** A call that used up its time limit. */
export function timeoutError(details: ErrorDetails, timeoutMs: number, cause?: unknown): SluiceError {
  return new SluiceError("PLUGIN_TIMEOUT", `Plugin "${details.pluginId}" timed out in ${details.hook} after ${timeoutMs} ms`, {
    ...details,
    cause,
  });
}

/**
 * A call that ran into its backstop (`InvocationClock`): it never used up its own time,
 * but did not finish either (an overloaded server, or a plugin stuck behind other work).
 */
export function backstopError(details: ErrorDetails, backstopMs: number): SluiceError {
  return new SluiceError("PLUGIN_TIMEOUT", `Plugin "${details.pluginId}" did not finish ${details.hook} within ${backstopMs} ms`, details);
}

/** The error for a call whose clock ran out: its own time, or the backstop. */
export function clockError(details: ErrorDetails, timeoutMs: number, clock: InvocationClock | undefined): SluiceError {
  return clock?.expiredBy === "backstop" ? backstopError(details, clock.backstopMs) : timeoutError(details, timeoutMs);
}

/** A call that ran its sandbox out of memory. */
export function memoryLimitError(details: ErrorDetails, memoryLimitMb: number, cause?: unknown): SluiceError {
  return new SluiceError(
    "PLUGIN_MEMORY_LIMIT",
    `Plugin "${details.pluginId}" ran out of memory in ${details.hook} (the limit is ${memoryLimitMb} MB)`,
    {
      ...details,
      cause,
    },
  );
}

/** A call to a plugin whose owner disposed it. */
export function unloadedError(details: ErrorDetails): SluiceError {
  return new SluiceError("PLUGIN_ERROR", `Plugin "${details.pluginId}" is unloaded; load it again to call ${details.hook}`, details);
}

/** A call in flight when its owner disposed the plugin. */
export function unloadedWhileRunningError(details: ErrorDetails, cause?: unknown): SluiceError {
  return new SluiceError("PLUGIN_ERROR", `Plugin "${details.pluginId}" was unloaded while ${details.hook} was running`, {
    ...details,
    cause,
  });
}

/** A call that failed in its sandbox for a reason the transport cannot name better. */
export function failedError(details: ErrorDetails, cause: unknown): SluiceError {
  return new SluiceError("PLUGIN_ERROR", `Plugin "${details.pluginId}" failed in ${details.hook}: ${messageOf(cause)}`, {
    ...details,
    cause,
  });
}

/** A call the host stopped waiting for (its caller aborted it): anything but a SluiceError becomes PLUGIN_ERROR. */
export function stoppedError(details: ErrorDetails, cause: unknown): SluiceError {
  if (SluiceError.isInstance(cause)) return cause;
  return new SluiceError("PLUGIN_ERROR", `Plugin "${details.pluginId}" was stopped in ${details.hook}: ${messageOf(cause)}`, {
    ...details,
    cause,
  });
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
