import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { PLUGIN_KINDS, SluiceError } from "@sluice/sdk";
import type { HostResult, InvokeRequest, LogLevel, PluginDescriptor, ValvesResult } from "@sluice/sdk/runtime";
import { InvocationClock } from "../host/invocation-clock.ts";
import type { HostHandlers, InvocationHandlers, PluginEventMessage } from "../invocation-handlers.ts";
import { ABORT_GRACE_MS, type InvokeOptions } from "../host/invoke-hook.ts";
import { parseInvokeResult, type SandboxInvokeResult } from "../host/parse-invoke-result.ts";
import type { PluginRunner } from "../plugin-runner.ts";
import { settleHostCall } from "../host/settle-host-call.ts";
import type { StreamHookRequest, StreamHookSession } from "../stream-hook.ts";
import type { PipeOutput, StreamPipeOptions, StreamPipeRequest } from "../host/stream-pipe.ts";
import { childScriptPath } from "./child-script.ts";
import { ChildExitedError, lastLine, NodeChild, type ChildExit } from "./node-child.ts";
import { type NodeAwaitOptions, type NodeCore, type NodeInvocation } from "./node-core.ts";
import { abortReason, raceCall } from "../host/race-call.ts";
import { openNodeStreamHook } from "./node-stream-hook.ts";
import { streamNodePipe } from "./node-stream-pipe.ts";
import { parseChildJson, type ChildFetchSettings, type ChildToHost } from "./node-tier-protocol.ts";
import { permissionFlags } from "./permission-flags.ts";
import { prepareChildUser, type ChildUser } from "./prepare-child-user.ts";

export interface NodePluginSandboxOptions {
  pluginId: string;
  /** The server's DATA_DIR: the plugin's folder is `<dataDir>/plugins/<pluginId>`. */
  dataDir: string;
  /**
   * The OS user and group the process runs as (the server must be root), so that it cannot open
   * the server's files or signal it; absent: the server's own user.
   */
  user?: ChildUser;
  /** The child's V8 heap limit (`--max-old-space-size`). Default 128. */
  memoryLimitMb?: number;
  /** Time limit of loading and of each call, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Time limit of a stream hook on one chunk, in milliseconds. Default 100. */
  streamTimeoutMs?: number;
  /** `ctx.fetch` inside the child (Node's fetch): time limit and body cap. */
  fetch?: Partial<ChildFetchSettings>;
  /** Defaults for `ctx.emit`, `ctx.call` and `ctx.log` (`fetch` is not used: the child fetches itself). */
  host: HostHandlers;
  logger: Logger;
}

// How long a new process may take to start its runtime (not counted in any call's limit).
const START_TIMEOUT_MS = 15_000;
// How long a process may take to answer a no-op before a call that ran out of time counts as stuck.
const RESPONSIVE_PROBE_MS = 100;
const LOG_LEVELS = new Set<LogLevel>(["debug", "info", "warn", "error"]);
const MAX_LOG_MESSAGE_LENGTH = 16_384;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isPluginDescriptor(value: unknown): value is PluginDescriptor {
  return typeof value === "object" && value !== null && (PLUGIN_KINDS as readonly unknown[]).includes((value as { kind?: unknown }).kind);
}

/**
 * The trusted tier (DESIGN.md "Sandbox and permissions"): one plugin in its own Node.js child
 * process with full Node APIs, behind the same interface as `PluginSandbox`, so the registry and
 * the chat pipeline use it unchanged. The process runs under Node's permission model: it reads
 * and writes only its folder `<DATA_DIR>/plugins/<id>` (plus reading its entry script), starts
 * no processes or workers, loads no addons, sees an empty environment, and has a heap limit.
 * The network is NOT restricted (Node 24 cannot): `ctx.fetch` is Node's fetch.
 *
 * A call that runs past its limit fails with PLUGIN_TIMEOUT; if the process does not answer at
 * once it is killed (SIGKILL). A crash, `process.exit` or running out of heap fails the calls in
 * flight (PLUGIN_ERROR, PLUGIN_MEMORY_LIMIT); the next call starts a new process and loads the
 * plugin again, so the sandbox itself stays usable until it is disposed.
 *
 * @example
 * const { sandbox } = await NodePluginSandbox.create(code, { pluginId: "disk_cache", dataDir, host: {}, logger });
 * const result = await sandbox.invoke({ hook: "inlet", payload: body, context });
 */
export class NodePluginSandbox implements PluginRunner {
  readonly pluginId: string;
  readonly memoryLimitMb: number;
  readonly timeoutMs: number;
  readonly streamTimeoutMs: number;
  /** The plugin's own folder: its working directory, the only place it may read and write. */
  readonly folder: string;
  readonly #code: string;
  readonly #options: NodePluginSandboxOptions;
  readonly #fetch: ChildFetchSettings;
  readonly #invocations = new Map<string, NodeInvocation>();
  readonly #core: NodeCore;
  #descriptor: PluginDescriptor | undefined;
  #child: NodeChild | undefined;
  #starting: Promise<{ child: NodeChild; descriptor: PluginDescriptor }> | undefined;
  #isDisposed = false;
  #shouldDisposeWhenIdle = false;
  #holds = 0;

  private constructor(code: string, options: NodePluginSandboxOptions) {
    if (!/^[a-z0-9_.-]+$/i.test(options.pluginId) || options.pluginId.startsWith(".")) {
      throw new SluiceError("PLUGIN_LOAD_FAILED", `"${options.pluginId}" cannot name a folder`, { pluginId: options.pluginId });
    }
    this.pluginId = options.pluginId;
    this.memoryLimitMb = options.memoryLimitMb ?? 128;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.streamTimeoutMs = options.streamTimeoutMs ?? 100;
    this.folder = path.resolve(options.dataDir, "plugins", options.pluginId);
    this.#code = code;
    this.#options = options;
    this.#fetch = { timeoutMs: options.fetch?.timeoutMs ?? 30_000, maxBytes: options.fetch?.maxBytes ?? 10 * 1024 * 1024 };
    this.#core = {
      pluginId: this.pluginId,
      timeoutMs: this.timeoutMs,
      streamTimeoutMs: this.streamTimeoutMs,
      connect: (hook) => this.#connect(hook),
      begin: (handlers, hook, timeoutMs, child) => {
        const invocation: NodeInvocation = { id: randomUUID(), handlers, hook, timeoutMs, child };
        this.#invocations.set(invocation.id, invocation);
        return invocation;
      },
      end: (invocation) => {
        invocation.clock?.stop();
        this.#invocations.delete(invocation.id);
        this.#disposeIfIdle();
      },
      awaitCall: (invocation, work, awaitOptions) => this.#awaitCall(invocation, work, awaitOptions),
      timedOut: (invocation) => this.#timedOut(invocation),
      callError: (error, invocation) => this.#callError(error, invocation),
    };
  }

  /**
   * Starts the plugin's process and loads the compiled plugin (see `compileNodePlugin`) in it.
   * Anything that goes wrong is a PLUGIN_LOAD_FAILED SluiceError; the process is ended then.
   */
  static async create(code: string, options: NodePluginSandboxOptions): Promise<{ sandbox: NodePluginSandbox; descriptor: PluginDescriptor }> {
    const sandbox = new NodePluginSandbox(code, options);
    try {
      const { child, descriptor } = await sandbox.#start();
      sandbox.#child = child;
      sandbox.#descriptor = descriptor;
      return { sandbox, descriptor };
    } catch (error) {
      sandbox.dispose();
      throw SluiceError.isInstance(error) ? error : new SluiceError("PLUGIN_LOAD_FAILED", messageOf(error), { pluginId: options.pluginId, cause: error });
    }
  }

  get descriptor(): PluginDescriptor {
    if (!this.#descriptor) throw new SluiceError("INTERNAL", `Plugin "${this.pluginId}" has not finished loading`);
    return this.#descriptor;
  }

  /** True once disposed by its owner. A crashed or killed process does not dispose the sandbox: the next call restarts it. */
  get isDisposed(): boolean {
    return this.#isDisposed;
  }

  get isBroken(): boolean {
    return false;
  }

  get activeInvocations(): number {
    return this.#invocations.size;
  }

  get isInUse(): boolean {
    return this.#invocations.size > 0 || this.#holds > 0;
  }

  /** The process id of the running child, if one runs (for tests and diagnostics). */
  get processId(): number | undefined {
    return this.#child?.isAlive ? this.#child.pid : undefined;
  }

  async #start(): Promise<{ child: NodeChild; descriptor: PluginDescriptor }> {
    const { pluginId, logger } = this.#options;
    await fs.mkdir(this.folder, { recursive: true, mode: 0o700 });
    const scriptPath = await childScriptPath(this.#options.dataDir);
    const { user } = this.#options;
    if (user) await prepareChildUser({ dataDir: this.#options.dataDir, folder: this.folder, scriptPath, user });
    const child = await NodeChild.start(
      {
        pluginId,
        scriptPath,
        execArgv: permissionFlags({ scriptPath, folder: this.folder, memoryLimitMb: this.memoryLimitMb }),
        folder: this.folder,
        user,
        logger,
        onMessage: (message, from) => this.#receive(message, from),
      },
      START_TIMEOUT_MS,
    );
    void child.exited.then((exit) => this.#onExit(child, exit));
    let timer: NodeJS.Timeout | undefined;
    try {
      timer = setTimeout(() => child.kill({ kind: "load-timeout", timeoutMs: this.timeoutMs }), this.timeoutMs);
      const json = await child.load(pluginId, this.#code, this.#fetch);
      const descriptor = parseChildJson(json);
      if (!isPluginDescriptor(descriptor)) throw new Error("The plugin runtime returned no valid description of the plugin");
      if (this.#isDisposed) throw new Error(`Plugin "${pluginId}" was unloaded while it was starting`);
      return { child, descriptor };
    } catch (error) {
      child.kill({ kind: "disposed" });
      throw new SluiceError("PLUGIN_LOAD_FAILED", this.#loadFailure(error), { pluginId, cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  #loadFailure(error: unknown): string {
    if (!(error instanceof ChildExitedError)) return messageOf(error);
    const { exit } = error;
    if (exit.reason?.kind === "load-timeout") return `Plugin did not finish loading within ${this.timeoutMs} ms`;
    if (exit.isOutOfMemory) return `Plugin ran out of memory while loading (the limit is ${this.memoryLimitMb} MB)`;
    const detail = lastLine(exit.stderrTail);
    return `The plugin's Node.js process ended while loading (${exit.signal ?? `exit code ${exit.code}`})${detail ? `: ${detail}` : ""}`;
  }

  async #connect(hook: string): Promise<NodeChild> {
    if (this.#isDisposed) {
      throw new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" is unloaded; load it again to call ${hook}`, { pluginId: this.pluginId, hook });
    }
    if (this.#child?.isAlive) return this.#child;
    if (!this.#starting) {
      this.#options.logger.info({ pluginId: this.pluginId }, "starting the trusted-tier process again");
      this.#starting = this.#start().finally(() => (this.#starting = undefined));
      void this.#starting.then(
        ({ child }) => (this.#child = child),
        () => {},
      );
    }
    try {
      const { child } = await this.#starting;
      return child;
    } catch (error) {
      throw new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" could not be started again for ${hook}: ${messageOf(error)}`, {
        pluginId: this.pluginId,
        hook,
        cause: error,
      });
    }
  }

  #onExit(child: NodeChild, exit: ChildExit): void {
    if (this.#child === child) this.#child = undefined;
    for (const invocation of this.#invocations.values()) if (invocation.child === child) invocation.onChildExit?.(exit);
    if (exit.reason?.kind === "disposed" || exit.reason?.kind === "load-timeout") return;
    this.#options.logger.warn(
      { pluginId: this.pluginId, code: exit.code, signal: exit.signal, reason: exit.reason?.kind ?? (exit.isOutOfMemory ? "out of memory" : "crash") },
      "trusted-tier process ended; it starts again on the next call",
    );
  }

  /**
   * Validates valve values with the plugin's own schema (contract §5). Invalid values are a
   * `{ ok: false, issues }` result; a failure of the process (time, crash) is thrown.
   */
  async validateValves(which: "valves" | "userValves", values: unknown): Promise<ValvesResult> {
    const label = which === "valves" ? "valves validation" : "user valves validation";
    const child = await this.#connect(label);
    const invocation = this.#core.begin({}, label, this.timeoutMs, child);
    invocation.clock = new InvocationClock(this.timeoutMs);
    try {
      const result = parseChildJson(await this.#awaitCall(invocation, child.request("validateValves", [which, values])));
      if (typeof result !== "object" || result === null || typeof (result as { ok?: unknown }).ok !== "boolean") {
        throw new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" returned a malformed valves result`, { pluginId: this.pluginId, hook: label });
      }
      return result as ValvesResult;
    } catch (error) {
      throw this.#callError(error, invocation);
    } finally {
      this.#core.end(invocation);
    }
  }

  /** Runs one hook; never rejects. As `PluginSandbox.invoke`, in the plugin's process. */
  async invoke(request: Omit<InvokeRequest, "invocationId">, handlers: InvocationHandlers = {}, options: InvokeOptions = {}): Promise<SandboxInvokeResult> {
    const hook = request.hook === "tool" && request.toolName ? request.toolName : request.hook;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let child: NodeChild;
    try {
      if (options.signal?.aborted) throw abortReason(options.signal);
      child = await this.#connect(hook);
    } catch (error) {
      return { ok: false, error: this.#stoppedError(error, hook) };
    }
    const invocation = this.#core.begin(handlers, hook, timeoutMs, child);
    invocation.clock = new InvocationClock(timeoutMs);
    try {
      const work = child.request("awaitHook", [JSON.stringify({ ...request, invocationId: invocation.id })]);
      const json = await this.#awaitCall(invocation, work, {
        signal: options.signal,
        abortGraceMs: ABORT_GRACE_MS,
        onAbort: (reason) => child.signal("abortInvocation", [invocation.id, reason.message]),
      });
      return parseInvokeResult(parseChildJson(json), this.pluginId, hook);
    } catch (error) {
      child.signal("forgetResult", [invocation.id]);
      return { ok: false, error: this.#stoppedError(this.#callError(error, invocation), hook) };
    } finally {
      this.#core.end(invocation);
    }
  }

  /** A pipe's output, pulled chunk by chunk from the process (see `PluginSandbox.invokeStream`). */
  invokeStream(request: StreamPipeRequest, handlers: InvocationHandlers = {}, options: StreamPipeOptions = {}): AsyncGenerator<PipeOutput, void, undefined> {
    return streamNodePipe(this.#core, request, handlers, options);
  }

  /**
   * A filter's `stream` hook for one response (see `PluginSandbox.openStreamHook`). Chunks are
   * pipelined: each `transform` sends its chunk at once (chunks sent in the same turn travel in
   * one message) and the process answers them in order, in batches.
   */
  openStreamHook(request: StreamHookRequest, handlers: InvocationHandlers = {}): StreamHookSession {
    return openNodeStreamHook(this.#core, this.#descriptor, request, handlers);
  }

  streamPipe(request: StreamPipeRequest, handlers: InvocationHandlers = {}, options: StreamPipeOptions = {}): AsyncGenerator<PipeOutput, void, undefined> {
    return this.invokeStream(request, handlers, options);
  }

  openStreamFilter(request: StreamHookRequest, handlers: InvocationHandlers = {}): StreamHookSession {
    return this.openStreamHook(request, handlers);
  }

  /** Ends the process now; calls in flight fail. */
  dispose(): void {
    this.#isDisposed = true;
    this.#child?.kill({ kind: "disposed" });
    this.#child = undefined;
  }

  /** Keeps the sandbox from being disposed by {@link disposeWhenIdle} until the returned function is called (see `PluginSandbox.hold`). */
  hold(): () => void {
    this.#holds += 1;
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.#holds -= 1;
      this.#disposeIfIdle();
    };
  }

  /** Ends the process once no call is in flight, no stream session is open and no request holds it. */
  disposeWhenIdle(): void {
    this.#shouldDisposeWhenIdle = true;
    this.#disposeIfIdle();
  }

  #disposeIfIdle(): void {
    if (this.#shouldDisposeWhenIdle && this.#invocations.size === 0 && this.#holds === 0 && !this.#isDisposed) this.dispose();
  }

  async #awaitCall(invocation: NodeInvocation, work: Promise<string>, options: NodeAwaitOptions = {}): Promise<string> {
    const { settled } = await raceCall(work, invocation.clock?.expired, options);
    if ("stop" in settled) {
      if (settled.stop === "abort") throw abortReason(options.signal!);
      throw await this.#timedOut(invocation);
    }
    if ("error" in settled) throw this.#callError(settled.error, invocation);
    return settled.value;
  }

  async #timedOut(invocation: NodeInvocation): Promise<SluiceError> {
    const { child } = invocation;
    if (child?.isAlive) {
      if (await child.isResponsive(RESPONSIVE_PROBE_MS)) {
        // Waiting on a promise that never settles: only this call is given up.
        child.signal("abortInvocation", [invocation.id, "The call ran out of time"]);
        child.signal("forgetResult", [invocation.id]);
      } else {
        this.#options.logger.warn({ pluginId: this.pluginId, hook: invocation.hook }, "plugin kept running past its time limit; killing its process");
        child.kill({ kind: "timeout", invocationId: invocation.id, hook: invocation.hook, timeoutMs: invocation.timeoutMs });
      }
    }
    return this.#timeoutError(invocation);
  }

  #timeoutError(invocation: NodeInvocation): SluiceError {
    return new SluiceError("PLUGIN_TIMEOUT", `Plugin "${this.pluginId}" timed out in ${invocation.hook} after ${invocation.timeoutMs} ms`, {
      pluginId: this.pluginId,
      hook: invocation.hook,
    });
  }

  #callError(error: unknown, invocation: NodeInvocation): SluiceError {
    if (SluiceError.isInstance(error)) return error;
    const { hook } = invocation;
    const details = { pluginId: this.pluginId, hook, cause: error };
    if (!(error instanceof ChildExitedError)) {
      return new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" failed in ${hook}: ${messageOf(error)}`, details);
    }
    const { exit } = error;
    const reason = exit.reason;
    if (reason?.kind === "timeout") {
      if (reason.invocationId === invocation.id) return this.#timeoutError(invocation);
      return new SluiceError(
        "PLUGIN_ERROR",
        `Plugin "${this.pluginId}" was stopped in ${hook}: its process was killed because ${reason.hook} ran past its time limit of ${reason.timeoutMs} ms`,
        details,
      );
    }
    if (reason?.kind === "disposed") return new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" was unloaded while ${hook} was running`, details);
    if (exit.isOutOfMemory) {
      return new SluiceError("PLUGIN_MEMORY_LIMIT", `Plugin "${this.pluginId}" ran out of memory in ${hook} (the limit is ${this.memoryLimitMb} MB)`, details);
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const detail = lastLine(exit.stderrTail);
    return new SluiceError(
      "PLUGIN_ERROR",
      `Plugin "${this.pluginId}" crashed in ${hook}: its Node.js process ${how}${detail ? ` (${detail.slice(0, 300)})` : ""}; it starts again on the next call`,
      details,
    );
  }

  /** An abort reason (not a SluiceError) becomes PLUGIN_ERROR, as in the isolate tier. */
  #stoppedError(error: unknown, hook: string): SluiceError {
    if (SluiceError.isInstance(error)) return error;
    return new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" was stopped in ${hook}: ${messageOf(error)}`, { pluginId: this.pluginId, hook, cause: error });
  }

  /** Requests from the process: capabilities of a running call, log lines, network waits, stream answers. */
  #receive(message: Exclude<ChildToHost, { t: "ready" | "reply" }>, child: NodeChild): void {
    try {
      switch (message.t) {
        case "host":
          void this.#serveHostCall(message).then((result) => child.replyToHostCall(message.id, JSON.stringify(result)));
          return;
        case "wait": {
          const clock = this.#invocations.get(message.invocationId)?.clock;
          if (message.isWaiting) clock?.pause();
          else clock?.resume();
          return;
        }
        case "log":
          return this.#log(message.invocationId, message.level, message.message);
        case "chunked":
          for (const [sessionId, sequence, answer] of message.items) this.#invocations.get(sessionId)?.onChunkAnswer?.(sequence, answer);
          return;
      }
    } catch (error) {
      this.#options.logger.warn({ pluginId: this.pluginId, err: error }, "ignored a malformed message from the trusted-tier process");
    }
  }

  async #serveHostCall(message: Extract<ChildToHost, { t: "host" }>): Promise<HostResult<unknown>> {
    const invocation = this.#invocations.get(message.invocationId);
    return settleHostCall(async () => {
      if (!invocation) throw new SluiceError("PLUGIN_ERROR", "This hook call has finished; emit, call and fetch work only while it runs");
      const event = parseChildJson(message.json) as PluginEventMessage;
      if (typeof event !== "object" || event === null || typeof event.type !== "string") throw new SluiceError("INVALID_INPUT", "An event needs a type");
      const work = async (): Promise<unknown> => {
        if (message.capability === "emit") {
          await (invocation.handlers.emit ?? this.#options.host.emit)?.(event);
          return null;
        }
        const call = invocation.handlers.call ?? this.#options.host.call;
        if (!call) throw new SluiceError("PLUGIN_ERROR", "ctx.call needs a browser session, and this request has none");
        return call(event);
      };
      // The call's time limit does not run while it waits for the host.
      return invocation.clock ? invocation.clock.waitFor(work()) : work();
    });
  }

  #log(invocationId: string | null, level: LogLevel, message: string): void {
    const invocation = invocationId === null ? undefined : this.#invocations.get(invocationId);
    const safeLevel = LOG_LEVELS.has(level) ? level : "info";
    const text = String(message).slice(0, MAX_LOG_MESSAGE_LENGTH);
    const log = invocation?.handlers.log ?? this.#options.host.log;
    if (log) log(safeLevel, text);
    else this.#options.logger[safeLevel]({ pluginId: this.pluginId, hook: invocation?.hook }, text);
  }
}
