import { SluiceError } from "@sluice/sdk";
import type { InvokeRequest } from "@sluice/sdk/runtime";
import { InvocationClock } from "./invocation-clock.ts";
import type { InvocationHandlers } from "./invocation-handlers.ts";
import { parseInvokeResult, type SandboxInvokeResult } from "./parse-invoke-result.ts";
import { awaitCall, parseRuntimeJson, type Invocation, type RuntimeEntries, type SandboxCore } from "./sandbox-core.ts";

export interface InvokeOptions {
  /** Time limit of this call; default the sandbox's `timeoutMs`. */
  timeoutMs?: number;
  /**
   * The caller has gone (client disconnected, request cancelled): the plugin's `ctx.signal`
   * aborts, and the call ends with what the hook does within {@link ABORT_GRACE_MS}, or else with
   * a PLUGIN_ERROR carrying the abort reason.
   */
  signal?: AbortSignal;
}

/** How long an aborted call may still finish (a tool returning what it has) before it is dropped. */
export const ABORT_GRACE_MS = 250;


/** `PluginSandbox.invoke`: runs one hook; never rejects. */
export async function invokeHook(
  core: SandboxCore,
  request: Omit<InvokeRequest, "invocationId">,
  handlers: InvocationHandlers,
  options: InvokeOptions,
): Promise<SandboxInvokeResult> {
  const hook = request.hook === "tool" && request.toolName ? request.toolName : request.hook;
  const timeoutMs = options.timeoutMs ?? core.timeoutMs;
  let entries: RuntimeEntries;
  try {
    entries = core.entries(hook);
  } catch (error) {
    return { ok: false, error: error as SluiceError };
  }
  const invocation = core.begin(handlers, hook, timeoutMs);
  invocation.clock = new InvocationClock(timeoutMs);
  let result: SandboxInvokeResult;
  try {
    const text = await run(core, entries, invocation, { ...request, invocationId: invocation.id }, options.signal);
    result = parseInvokeResult(parseRuntimeJson(core, hook, text), core.pluginId, hook);
  } catch (error) {
    forget(core, entries, invocation);
    result = { ok: false, error: toCallError(core, hook, error) };
  } finally {
    core.end(invocation);
  }
  return result;
}

async function run(core: SandboxCore, entries: RuntimeEntries, invocation: Invocation, request: InvokeRequest, signal: AbortSignal | undefined): Promise<unknown> {
  const awaitOptions = {
    signal,
    abortGraceMs: ABORT_GRACE_MS,
    onAbort: (reason: Error) => {
      invocation.controller?.abort(reason);
      if (isGone(core)) return;
      entries.abortInvocation.applyIgnored(undefined, [invocation.id, reason.message], { arguments: { copy: true } });
    },
  };
  if (signal?.aborted) throw signal.reason;
  const work = entries.awaitHook.apply(undefined, [JSON.stringify(request)], { result: { promise: true }, timeout: invocation.timeoutMs });
  return awaitCall(core, invocation, work, awaitOptions);
}

function isGone(core: SandboxCore): boolean {
  try {
    core.entries("");
    return false;
  } catch {
    return true;
  }
}

/** The host stopped waiting (timeout, abort): the isolate drops the call's result and signal. */
function forget(core: SandboxCore, entries: RuntimeEntries, invocation: Invocation): void {
  if (isGone(core)) return;
  try {
    entries.abortInvocation.applyIgnored(undefined, [invocation.id, "The call was given up"], { arguments: { copy: true } });
    entries.forgetResult.applyIgnored(undefined, [invocation.id], { arguments: { copy: true } });
  } catch {
    // The isolate went away meanwhile.
  }
}

function toCallError(core: SandboxCore, hook: string, error: unknown): SluiceError {
  if (SluiceError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new SluiceError("PLUGIN_ERROR", `Plugin "${core.pluginId}" was stopped in ${hook}: ${reason}`, { pluginId: core.pluginId, hook, cause: error });
}
