import type ivm from "isolated-vm";
import { SluiceError } from "@sluice/sdk";
import type { InvocationClock } from "./invocation-clock.ts";
import { abortReason, raceCall, type AwaitCallOptions } from "./race-call.ts";

export { abortReason, type AwaitCallOptions } from "./race-call.ts";
import type { InvocationHandlers } from "./invocation-handlers.ts";
import { parsePluginJson } from "./parse-plugin-json.ts";

/** The runtime's entry points (docs/internals/plugin-runtime.md §2), taken before the plugin ran. */
export const RUNTIME_ENTRY_NAMES = [
  "registerPlugin",
  "validateValves",
  "abortInvocation",
  "beginHook",
  "awaitHook",
  "takeResult",
  "awaitResult",
  "forgetResult",
  "startPipe",
  "pullPipe",
  "stopPipe",
  "openStreamSession",
  "streamChunk",
  "closeStreamSession",
] as const;

export type RuntimeEntries = Record<(typeof RUNTIME_ENTRY_NAMES)[number], ivm.Reference>;

/** What `takeResult` / `streamChunk` answer while the work goes on (the runtime's PENDING). */
export const PENDING = 0;

/** One hook call (or stream session) in flight: the host side of its invocation id. */
export interface Invocation {
  id: string;
  handlers: InvocationHandlers;
  hook: string;
  timeoutMs: number;
  /** Counts the call's own time; absent between the chunks of a stream session. */
  clock?: InvocationClock;
  /** Made when the call first uses the host (ctx.fetch); aborted when the call ends or is aborted. */
  controller?: AbortController;
}

/**
 * What the sandbox lends the modules that implement its calls (invoke, pipe streams, stream
 * hooks): the entry points, the invocation registry, error mapping.
 */
export interface SandboxCore {
  readonly pluginId: string;
  readonly timeoutMs: number;
  readonly streamTimeoutMs: number;
  /** The runtime's entry points, or a SluiceError (thrown) saying why the sandbox cannot be used. */
  entries(hook: string): RuntimeEntries;
  /** Registers a call; its capabilities find it by `invocation.id`. */
  begin(handlers: InvocationHandlers, hook: string, timeoutMs: number): Invocation;
  /** Unregisters a call (then disposes the sandbox if it was waiting to become idle). */
  end(invocation: Invocation): void;
  /** Maps an isolated-vm failure; a time or memory failure disposes the isolate. */
  callError(error: unknown, hook: string, timeoutMs: number): SluiceError;
  /**
   * A call's time ran out: when the isolate does not answer at once, code is running away in it,
   * and the only way to stop it is to dispose the isolate; that failure is returned. Undefined
   * when the isolate answers (the call waits on a promise that never settles).
   */
  confirmTimeout(hook: string, timeoutMs: number): Promise<SluiceError | undefined>;
}

/** The error of a call whose own time ran out while it waited on itself (a promise that never settles). */
export function clockTimeoutError(core: SandboxCore, invocation: Invocation): SluiceError {
  return new SluiceError("PLUGIN_TIMEOUT", `Plugin "${core.pluginId}" timed out in ${invocation.hook} after ${invocation.timeoutMs} ms`, {
    pluginId: core.pluginId,
    hook: invocation.hook,
  });
}


/**
 * Waits for `work` (an asynchronous call into the isolate) unless the call's clock runs out first
 * (PLUGIN_TIMEOUT is thrown) or the caller's signal aborts (its reason is thrown, once the grace
 * period has passed without `work` settling). isolated-vm failures are mapped by `core.callError`.
 * `work` is never left with an unobserved rejection.
 */
export async function awaitCall<T>(core: SandboxCore, invocation: Invocation, work: Promise<T>, options: AwaitCallOptions = {}): Promise<T> {
  const { settled, outcome } = await raceCall(work, invocation.clock?.expired, options);
  if ("stop" in settled) {
    if (settled.stop === "abort") throw abortReason(options.signal!);
    const failure = await core.confirmTimeout(invocation.hook, invocation.timeoutMs);
    // isolated-vm's own timeout may have stopped the call meanwhile (and then the isolate answers).
    const late = await Promise.race([outcome, Promise.resolve(undefined)]);
    if (late && "error" in late) throw core.callError(late.error, invocation.hook, invocation.timeoutMs);
    throw failure ?? clockTimeoutError(core, invocation);
  }
  if ("error" in settled) throw core.callError(settled.error, invocation.hook, invocation.timeoutMs);
  return settled.value;
}

/** Parses the JSON text a runtime entry answered with; anything else is a malformed answer. */
export function parseRuntimeJson(core: SandboxCore, hook: string, text: unknown): unknown {
  if (typeof text === "string") {
    try {
      return parsePluginJson(text);
    } catch {
      // Reported below.
    }
  }
  throw new SluiceError("PLUGIN_ERROR", `Plugin "${core.pluginId}" returned a malformed result from ${hook}`, { pluginId: core.pluginId, hook });
}
