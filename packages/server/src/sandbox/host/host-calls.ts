import type { SluiceError } from "@sluice/sdk";
import type { InvocationHandlers } from "../invocation-handlers.ts";
import type { InvocationClock } from "./invocation-clock.ts";
import type { CallInfo, PluginConnection } from "./plugin-transport.ts";

/** One hook call (or stream filter session) in flight: the host side of its invocation id. */
export interface Invocation extends CallInfo {
  readonly id: string;
  readonly handlers: InvocationHandlers;
  readonly hook: string;
  /** The limit of the call's own time; a stream filter session's changes from opening to chunks. */
  timeoutMs: number;
  /** Counts the call's own time; absent between the chunks of a stream filter session. */
  clock?: InvocationClock;
  /** Made when the call first uses the host's fetch or service channel; aborted when the call ends or is aborted. */
  controller?: AbortController;
  /** The plugin started background work (`ctx.waitUntil`): the call outlives its hook until that settles or is cut. */
  hasBackground?: boolean;
}

/**
 * What `PluginHost` lends the modules that run its calls (`invokeHook`, `validateValves`,
 * `streamPipe`, `openStreamFilter`): the transport's connection, the registry of calls in flight
 * and the mapping of failures.
 */
export interface HostCalls {
  readonly pluginId: string;
  readonly timeoutMs: number;
  readonly streamTimeoutMs: number;
  /** The running plugin for a call to `hook`; throws (or rejects with) a SluiceError saying why not. */
  connect(hook: string): PluginConnection | Promise<PluginConnection>;
  /** Registers a call; the plugin's requests to the host find it by `invocation.id`. */
  begin(handlers: InvocationHandlers, hook: string, timeoutMs: number): Invocation;
  /**
   * Unregisters a call (then disposes the plugin if it was waiting to become idle); a call with
   * background work (`ctx.waitUntil`) stays registered until that settles or is cut.
   */
  end(invocation: Invocation): void;
  /** A SluiceError naming plugin and hook for any failure of `call`. */
  callError(error: unknown, call: CallInfo): SluiceError;
}
