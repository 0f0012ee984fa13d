import type { InvokeRequest } from "@sluice/sdk/runtime";
import type { InvocationHandlers } from "../invocation-handlers.ts";
import { awaitCall, parseRuntimeJson } from "./await-call.ts";
import type { HostCalls } from "./host-calls.ts";
import { InvocationClock } from "./invocation-clock.ts";
import { parseInvokeResult, type SandboxInvokeResult } from "./parse-invoke-result.ts";
import { stoppedError } from "./plugin-errors.ts";
import type { PluginConnection } from "./plugin-transport.ts";
import { abortReason } from "./race-call.ts";

export interface InvokeOptions {
  /** Time limit of this call; default the plugin's `timeoutMs`. */
  timeoutMs?: number;
  /**
   * The caller has gone (client disconnected, request cancelled): the plugin's `ctx.signal`
   * aborts, and the call ends with what the hook does within {@link ABORT_GRACE_MS}, or else with
   * a PLUGIN_ERROR carrying the abort reason.
   */
  signal?: AbortSignal;
  /** `request.payload` as JSON text, when the caller has it already (a chain of filters handing a body on unchanged). */
  payloadText?: string;
}

/** How long an aborted call may still finish (a tool returning what it has) before it is dropped. */
export const ABORT_GRACE_MS = 250;

/** `PluginHost.invoke`: runs one hook; never rejects. */
export async function invokeHook(
  calls: HostCalls,
  request: Omit<InvokeRequest, "invocationId">,
  handlers: InvocationHandlers,
  options: InvokeOptions,
): Promise<SandboxInvokeResult> {
  const hook = request.hook === "tool" && request.toolName ? request.toolName : request.hook;
  const details = { pluginId: calls.pluginId, hook };
  const timeoutMs = options.timeoutMs ?? calls.timeoutMs;
  const { signal } = options;
  let connection: PluginConnection;
  try {
    if (signal?.aborted) throw abortReason(signal);
    const connecting = calls.connect(hook);
    connection = connecting instanceof Promise ? await connecting : connecting;
  } catch (error) {
    return { ok: false, error: stoppedError(details, error) };
  }
  const invocation = calls.begin(handlers, hook, timeoutMs);
  // The hook's own time starts once the transport says its synchronous part has run (CallTiming).
  const clock = new InvocationClock(timeoutMs, { started: false });
  invocation.clock = clock;
  try {
    // The payload apart when the runtime takes it so: handed back unchanged, it does not cross back.
    const apart = connection.takesPayloadText === true && request.payload !== undefined;
    const work = connection.call(
      "awaitHook",
      apart
        ? [
            JSON.stringify({ ...request, payload: null, invocationId: invocation.id }),
            options.payloadText ?? JSON.stringify(request.payload),
          ]
        : [JSON.stringify({ ...request, invocationId: invocation.id })],
      timeoutMs,
      { key: invocation.id, started: () => clock.start() },
    );
    const text = await awaitCall(calls, invocation, connection, work, {
      signal,
      abortGraceMs: ABORT_GRACE_MS,
      onAbort: (reason) => {
        invocation.controller?.abort(reason);
        connection.notify("abortInvocation", [invocation.id, reason.message]);
      },
    });
    const answer = parseRuntimeJson(calls.pluginId, hook, text);
    if (apart && isUnchanged(answer)) return { ok: true, value: request.payload };
    return parseInvokeResult(answer, calls.pluginId, hook);
  } catch (error) {
    // The host stopped waiting (timeout, abort, failure): the plugin drops the call's result and signal.
    connection.notify("abortInvocation", [invocation.id, "The call was given up"]);
    connection.notify("forgetResult", [invocation.id]);
    return { ok: false, error: stoppedError(details, error) };
  } finally {
    calls.end(invocation);
  }
}

function isUnchanged(answer: unknown): boolean {
  return (
    typeof answer === "object" &&
    answer !== null &&
    (answer as { ok?: unknown }).ok === true &&
    (answer as { unchanged?: unknown }).unchanged === true
  );
}
