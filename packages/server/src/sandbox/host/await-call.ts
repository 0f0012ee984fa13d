import { abortReason, raceCall, type AwaitCallOptions } from "./race-call.ts";
import type { HostCalls, Invocation } from "./host-calls.ts";
import { clockError, malformedResultError } from "./plugin-errors.ts";
import { parsePluginJson } from "./parse-plugin-json.ts";
import type { PluginConnection } from "./plugin-transport.ts";

/**
 * Waits for `work` (a call into the plugin over `connection`) unless the call's clock runs out
 * first or the caller's signal aborts. Out of time: the transport checks whether code is running
 * away (and stops it), and PLUGIN_TIMEOUT (or the failure the transport reports) is thrown.
 * Aborted: the abort reason is thrown once the grace period passed without `work` settling.
 * Failures of the transport are thrown as `calls.callError` names them. `work` is never left with
 * an unobserved rejection.
 */
export async function awaitCall<T>(
  calls: HostCalls,
  invocation: Invocation,
  connection: PluginConnection,
  work: Promise<T>,
  options: AwaitCallOptions = {},
): Promise<T> {
  const { clock } = invocation;
  const { settled, outcome } = await raceCall(work, clock?.expired, options);
  if ("stop" in settled) {
    if (settled.stop === "abort") throw abortReason(options.signal!);
    const failure = await connection.confirmTimeout(invocation);
    // The transport's own limit may have stopped the call meanwhile; its failure says more.
    const late = await Promise.race([outcome, Promise.resolve(undefined)]);
    if (late && "error" in late) throw calls.callError(late.error, invocation);
    throw failure ?? clockError({ pluginId: calls.pluginId, hook: invocation.hook }, invocation.timeoutMs, clock);
  }
  if ("error" in settled) throw calls.callError(settled.error, invocation);
  return settled.value;
}

/** Parses the JSON text a runtime entry answered with; anything else is a malformed answer. */
export function parseRuntimeJson(pluginId: string, hook: string, text: unknown): unknown {
  if (typeof text === "string") {
    try {
      return parsePluginJson(text);
    } catch {
      // Reported below.
    }
  }
  throw malformedResultError({ pluginId, hook });
}
