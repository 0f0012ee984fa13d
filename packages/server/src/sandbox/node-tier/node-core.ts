import type { SluiceError } from "@sluice/sdk";
import type { AwaitCallOptions } from "../host/race-call.ts";
import type { InvocationClock } from "../host/invocation-clock.ts";
import type { InvocationHandlers } from "../invocation-handlers.ts";
import type { ChildExit, NodeChild } from "./node-child.ts";
import type { ChunkAnswer } from "./node-tier-protocol.ts";

/** One hook call (or stream hook session) of a trusted-tier plugin: the host side of its invocation id. */
export interface NodeInvocation {
  id: string;
  handlers: InvocationHandlers;
  hook: string;
  timeoutMs: number;
  /** Counts the call's own time; stopped while it waits for the host or the network. */
  clock?: InvocationClock;
  /** The process the call runs in. */
  child?: NodeChild;
  /** A stream hook session: the answer for one of its chunks. */
  onChunkAnswer?(sequence: number, answer: ChunkAnswer): void;
  /** The process ended while the call was open. */
  onChildExit?(exit: ChildExit): void;
}

/** As for the isolate tier. */
export type NodeAwaitOptions = AwaitCallOptions;

/** What NodePluginSandbox lends the modules that implement its streaming calls. */
export interface NodeCore {
  readonly pluginId: string;
  readonly timeoutMs: number;
  readonly streamTimeoutMs: number;
  /** The running process; started (and the plugin loaded) when there is none. Throws a SluiceError. */
  connect(hook: string): Promise<NodeChild>;
  begin(handlers: InvocationHandlers, hook: string, timeoutMs: number, child: NodeChild): NodeInvocation;
  end(invocation: NodeInvocation): void;
  /**
   * Waits for `work` unless the call's clock runs out first (PLUGIN_TIMEOUT is thrown; a process
   * that does not answer at once is killed) or the caller's signal aborts (its reason is thrown).
   */
  awaitCall(invocation: NodeInvocation, work: Promise<string>, options?: NodeAwaitOptions): Promise<string>;
  /** The clock of `invocation` ran out: kills a stuck process; the PLUGIN_TIMEOUT error to report. */
  timedOut(invocation: NodeInvocation): Promise<SluiceError>;
  /** Maps a failure of a call (the process ended, the child failed) to a SluiceError naming plugin and hook. */
  callError(error: unknown, invocation: NodeInvocation): SluiceError;
}

export { abortReason } from "../host/race-call.ts";
