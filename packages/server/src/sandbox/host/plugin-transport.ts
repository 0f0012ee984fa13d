import type { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import type { PluginCapabilities } from "./plugin-capabilities.ts";
import type { RawRuntimeError } from "./plugin-errors.ts";

/**
 * How the host reaches one plugin's runtime (docs/internals/plugin-runtime.md) wherever its code
 * runs: in an isolate of this process (`IsolateTransport`), in a Node.js child process
 * (`NodeProcessTransport`), or next in a Python process. `PluginHost` is written once over this
 * interface: it keeps the calls in flight, their time limits and abort signals, holds and
 * dispose-when-idle, stream filter sessions and pipe streams, serves what a plugin asks of the
 * host, checks every answer and turns failures into SluiceErrors. A transport only carries.
 *
 * A transport must:
 * - **load** the plugin together with the runtime and answer its descriptor, checked with
 *   `parsePluginDescriptor`; whatever fails is a PLUGIN_LOAD_FAILED SluiceError;
 * - **connect**: hand out a {@link PluginConnection} to the running plugin, starting it again if
 *   the transport can (a crashed child process) or throwing the SluiceError that says why it cannot
 *   (`unloadedError` once disposed; the limit it broke once broken);
 * - carry the runtime's entry points: {@link PluginConnection.call} for those that answer
 *   (`awaitBackground` included: a call's `ctx.waitUntil` work, after its hook returned),
 *   {@link PluginConnection.notify} for those that do not, {@link PluginConnection.streamChunk}
 *   for a stream filter session's chunks (pipelined if the plugin's side keeps them in order);
 * - route what the plugin asks of the host to {@link TransportHost.capabilities} (emit, call,
 *   fetch, log, and waits that stop the call's clock), with the invocation id the runtime gives;
 * - move only JSON text across: the host parses what comes back with `parsePluginJson`;
 * - when the host says a call ran out of time, find out whether plugin code is running away and
 *   stop it ({@link PluginConnection.confirmTimeout});
 * - say what its own failures mean ({@link PluginTransport.describeFailure});
 * - enforce the plugin's memory limit, and never run plugin code on the server's thread: no
 *   synchronous calls into the plugin (docs/security.md).
 */
export interface PluginTransport {
  /** True once it can no longer be used: disposed by its owner, or lost to a limit. */
  readonly isDisposed: boolean;
  /** True when it was lost to a limit (time, memory) rather than disposed: its owner loads the plugin again. */
  readonly isBroken: boolean;
  /** Loads the plugin (once, right after construction) and answers what the runtime found. */
  load(): Promise<PluginDescriptor>;
  /**
   * The running plugin, for one call to `hook` (named in errors). May answer at once when the
   * plugin is running; throws (or rejects with) a SluiceError when it cannot be reached.
   */
  connect(hook: string): PluginConnection | Promise<PluginConnection>;
  /**
   * A SluiceError naming plugin and hook for a failure of `call` that is not a SluiceError
   * already (a rejected `call` or `streamChunk`): a crash, a limit, the transport being disposed.
   */
  describeFailure(error: unknown, call: CallInfo): SluiceError;
  /** Ends the plugin now; calls in flight fail. */
  dispose(): void;
}

/** The runtime entry points that answer, each with JSON text (docs/internals/plugin-runtime.md §5–9). */
export type RuntimeCall = "validateValves" | "awaitHook" | "startPipe" | "pullPipe" | "openStreamSession" | "awaitBackground";

/** The runtime entry points the host calls without waiting for an answer. */
export type RuntimeNotice = "abortInvocation" | "forgetResult" | "stopPipe" | "closeStreamSession";

/**
 * What the runtime's `streamChunk` answered for one chunk: the chunk's JSON text (replaced, or as
 * the hook left it), null (dropped), a failure, or 0 when the chunk was given up
 * (`forgetResult` of `${sessionId}:${sequence}`) before it settled.
 */
export type ChunkAnswer = string | null | 0 | { ok: false; error: RawRuntimeError };

/** One call in flight (or an open stream filter session), as a transport sees it. */
export interface CallInfo {
  readonly id: string;
  readonly hook: string;
  readonly timeoutMs: number;
}

/**
 * When a call's own time starts: the host counts the plugin's time (its clock, `InvocationClock`)
 * from `started()` on, and before that only a backstop (queues included). A transport whose plugin side
 * stops synchronous code by itself, counting from when the plugin starts the task (isolated-vm's
 * `timeout`), calls `started` once that synchronous part has run: time the call waited before it
 * (in the transport's queue, behind other calls in the plugin) is then not the plugin's. Any
 * other transport calls it when it hands the call over.
 */
export interface CallTiming {
  /** The key the runtime holds the call's result under (its invocation id). */
  readonly key: string;
  started(): void;
}

/** The plugin running in its sandbox, as one call uses it. */
export interface PluginConnection {
  /**
   * Calls a runtime entry point and resolves with its answer as JSON text. Rejects only when the
   * transport fails (the host asks `describeFailure` what that means). `timeoutMs` is the call's
   * limit, for a transport that can also stop synchronous code on its own. `timing` (given for
   * `awaitHook`): see {@link CallTiming}.
   */
  call(method: RuntimeCall, args: unknown[], timeoutMs: number, timing?: CallTiming): Promise<string>;
  /** Calls a runtime entry point without waiting; never throws (a gone plugin ignores it). */
  notify(method: RuntimeNotice, args: unknown[]): void;
  /**
   * True when the plugin's side runs a session's chunks in order by itself: the host then hands
   * each chunk over as it comes (pipelining). False: the host hands a session's next chunk over
   * only once the one before was answered or given up.
   */
  readonly pipelinesChunks: boolean;
  /**
   * True when the runtime's `awaitHook` takes the payload as JSON text apart from the request
   * (its second argument) and answers `{"ok":true,"unchanged":true}` for a payload handed back
   * as it came: the host then keeps its own payload, and the body does not cross back.
   */
  readonly takesPayloadText?: boolean;
  /**
   * Runs session `sessionId`'s stream hook on one chunk (JSON text), in the order given. A hook
   * that returns a promise is held under `${sessionId}:${sequence}` (the host may `forgetResult`
   * it). Rejects only when the transport fails. `started`: see {@link CallTiming}.
   */
  streamChunk(sessionId: string, sequence: number, json: string, timeoutMs: number, started?: () => void): Promise<ChunkAnswer>;
  /**
   * `call` ran out of time. When the plugin does not answer a no-op at once, code is running away
   * in it: stop it (dispose the isolate, kill the process) and resolve with the error to report,
   * or undefined for the host's plain PLUGIN_TIMEOUT. Resolves undefined when the plugin answers
   * (the call waits on a promise that never settles; the host gives up that call alone).
   */
  confirmTimeout(call: CallInfo): Promise<SluiceError | undefined>;
}

/** What the host lends its transport. */
export interface TransportHost {
  readonly pluginId: string;
  /** What the plugin may ask of the host during a call; none of these throw or reject. */
  readonly capabilities: PluginCapabilities;
  /** Calls in flight, open stream filter sessions included. */
  activeCalls(): CallInfo[];
  /** The plugin is gone for good (broken or disposed): the clocks of the calls in flight stop. */
  sandboxLost(): void;
}
