import { randomUUID } from "node:crypto";
import ivm from "isolated-vm";
import type { Logger } from "pino";
import { PLUGIN_KINDS, SluiceError } from "@sluice/sdk";
import type { InvokeRequest, PluginDescriptor, ValvesResult } from "@sluice/sdk/runtime";
import { exitAtOnce } from "../process/exit-at-once.ts";
import { createSluiceHost } from "./create-sluice-host.ts";
import { HostTimers } from "./host-timers.ts";
import { installHost } from "./install-host.ts";
import type { HostHandlers, InvocationHandlers } from "./invocation-handlers.ts";
import { invokeHook, type InvokeOptions } from "./invoke-hook.ts";
import { IdleCpuBudget } from "./idle-cpu-budget.ts";
import { IsolateWatchdog } from "./isolate-watchdog.ts";
import type { SandboxInvokeResult } from "./parse-invoke-result.ts";
import { RUNTIME_GLOBAL, compileRuntimeScript } from "./runtime-script.ts";
import { RUNTIME_ENTRY_NAMES, type Invocation, type RuntimeEntries, type SandboxCore } from "./sandbox-core.ts";
import { openStreamHook, type StreamHookRequest, type StreamHookSession } from "./stream-hook.ts";
import { streamPipe, type PipeOutput, type StreamPipeOptions, type StreamPipeRequest } from "./stream-pipe.ts";

export type { SandboxInvokeResult } from "./parse-invoke-result.ts";
export type { InvokeOptions } from "./invoke-hook.ts";
export type { PipeOutput, StreamPipeOptions, StreamPipeRequest } from "./stream-pipe.ts";
export type { StreamHookOutput, StreamHookRequest, StreamHookSession } from "./stream-hook.ts";

export interface PluginSandboxOptions {
  pluginId: string;
  /** Heap limit of the isolate; exceeding it disposes the isolate. Default 128. */
  memoryLimitMb?: number;
  /** Default time limit of loading and of each call, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Time limit of a stream hook on one chunk, in milliseconds. Default 100. */
  streamTimeoutMs?: number;
  host: HostHandlers;
  logger: Logger;
  /**
   * isolated-vm lost control of the isolate (an out-of-memory inside a built-in, or a built-in that
   * kept running 5 s past its time limit): the thread that ran it is suspended for good with its
   * memory, and the process cannot recover. Default: end the process at once (see `exitAtOnce`).
   */
  onCatastrophicError?: (pluginId: string, message: string) => void;
  /**
   * CPU the isolate may use between calls (its timers) per `windowMs`; past it the isolate is
   * disposed and loaded afresh on the next call. Default 1000 ms per 10 s.
   */
  idleCpu?: { budgetMs: number; windowMs?: number };
}

export const DEFAULT_MEMORY_LIMIT_MB = 128;
export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_STREAM_TIMEOUT_MS = 100;
export const DEFAULT_IDLE_CPU_MS = 1000;
const IDLE_CPU_WINDOW_MS = 10_000;
const IVM_TIMEOUT_MESSAGE = "Script execution timed out.";
// How long an isolate may take to answer a no-op before a call that ran out of time counts as stuck.
const RESPONSIVE_PROBE_MS = 100;

// The CommonJS function the runtime's registerPlugin expects (contract §1). The runtime reports
// a throw from the module body itself ("The plugin threw while loading: …").
function wrapPluginCode(code: string): string {
  return `(function (module, exports, require) {\n${code}\n})`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isPluginDescriptor(value: unknown): value is PluginDescriptor {
  return (
    typeof value === "object" &&
    value !== null &&
    (PLUGIN_KINDS as readonly unknown[]).includes((value as { kind?: unknown }).kind)
  );
}

/**
 * One plugin loaded into its own V8 isolate (isolated-vm) with a memory limit, per-call time limits
 * and the host capabilities of docs/internals/plugin-runtime.md §4. A call that exceeds a limit
 * fails with PLUGIN_TIMEOUT or PLUGIN_MEMORY_LIMIT; a runaway (CPU) or out-of-memory call leaves
 * the sandbox disposed (`isBroken`), so its owner loads a fresh one.
 *
 * Calls into one sandbox may overlap (several chats using one filter): the isolate runs one piece
 * of plugin code at a time, and each call keeps its own invocation id, handlers and result.
 *
 * @example
 * const { sandbox, descriptor } = await PluginSandbox.create(code, { pluginId: "turn_limit", host: {}, logger });
 * const result = await sandbox.invoke({ hook: "inlet", payload: body, context }, { emit: sendToChat });
 * if (!result.ok) throw result.error;
 */
export class PluginSandbox {
  readonly pluginId: string;
  readonly memoryLimitMb: number;
  readonly timeoutMs: number;
  readonly streamTimeoutMs: number;
  readonly #host: HostHandlers;
  readonly #logger: Logger;
  readonly #isolate: ivm.Isolate;
  readonly #timers: HostTimers;
  readonly #invocations = new Map<string, Invocation>();
  readonly #watchdog: IsolateWatchdog;
  readonly #idleCpu: IdleCpuBudget;
  readonly #core: SandboxCore;
  #descriptor: PluginDescriptor | undefined;
  #entries: RuntimeEntries | undefined;
  #probe: ivm.Reference | undefined;
  #releaseHost: (() => void) | undefined;
  #failure: "PLUGIN_TIMEOUT" | "PLUGIN_MEMORY_LIMIT" | undefined;
  #isDisposing = false;
  #holds = 0;
  #shouldDisposeWhenIdle = false;

  private constructor(options: PluginSandboxOptions) {
    this.pluginId = options.pluginId;
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.streamTimeoutMs = options.streamTimeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS;
    this.#host = options.host;
    this.#logger = options.logger;
    this.#isolate = new ivm.Isolate({
      memoryLimit: this.memoryLimitMb,
      onCatastrophicError: (message) => {
        this.#failure ??= "PLUGIN_MEMORY_LIMIT";
        if (options.onCatastrophicError) options.onCatastrophicError(this.pluginId, message);
        else exitAtOnce(`isolated-vm lost control of the isolate of plugin "${this.pluginId}": ${message}`);
      },
    });
    const probe = async (): Promise<unknown> => {
      if (!this.#probe || this.isDisposed) throw new Error("The isolate is not loaded");
      return this.#probe.apply(undefined, []);
    };
    this.#timers = new HostTimers();
    this.#watchdog = new IsolateWatchdog({
      intervalMs: Math.min(Math.max(this.timeoutMs / 5, 10), 1000),
      probe,
      stallLimitMs: () => Math.max(this.timeoutMs, ...[...this.#invocations.values()].map((call) => call.timeoutMs)),
      cpuTimeMs: () => this.#cpuTimeMs(),
      onStall: (stalledMs) => {
        this.#logger.warn({ pluginId: this.pluginId, stalledMs: Math.round(stalledMs) }, "plugin stopped responding; disposing its isolate");
        this.#fail("PLUGIN_TIMEOUT");
      },
    });
    const idleCpu = { budgetMs: options.idleCpu?.budgetMs ?? DEFAULT_IDLE_CPU_MS, windowMs: options.idleCpu?.windowMs ?? IDLE_CPU_WINDOW_MS };
    this.#idleCpu = new IdleCpuBudget({
      ...idleCpu,
      cpuTimeMs: () => this.#cpuTimeMs(),
      isBusy: () => this.#invocations.size > 0,
      onExceeded: (usedMs) => {
        this.#logger.warn(
          { pluginId: this.pluginId, usedMs: Math.round(usedMs), budgetMs: idleCpu.budgetMs, windowMs: idleCpu.windowMs },
          "plugin used too much CPU between calls (timers); disposing its isolate",
        );
        this.#fail("PLUGIN_TIMEOUT");
      },
    });
    this.#core = {
      pluginId: this.pluginId,
      timeoutMs: this.timeoutMs,
      streamTimeoutMs: this.streamTimeoutMs,
      entries: (hook) => this.#usableEntries(hook),
      begin: (handlers, hook, timeoutMs) => {
        this.#idleCpu.noteCall();
        const invocation: Invocation = { id: randomUUID(), handlers, hook, timeoutMs };
        this.#invocations.set(invocation.id, invocation);
        return invocation;
      },
      end: (invocation) => {
        invocation.clock?.stop();
        invocation.controller?.abort(new Error("The hook call has ended"));
        this.#invocations.delete(invocation.id);
        this.#disposeIfIdle();
      },
      callError: (error, hook, timeoutMs) => this.#callError(error, hook, timeoutMs),
      confirmTimeout: async (hook, timeoutMs) => {
        if (this.isDisposed) return this.#failure ? this.#failureError(this.#failure, hook, timeoutMs) : undefined;
        let timer: NodeJS.Timeout | undefined;
        const cpuBefore = this.#cpuTimeMs();
        const answered = await Promise.race([
          probe().then(() => true, () => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), RESPONSIVE_PROBE_MS))),
        ]);
        clearTimeout(timer);
        // Unanswered while the isolate was not running means the server was slow to read the answer.
        const wasRunning = this.#cpuTimeMs() - cpuBefore >= RESPONSIVE_PROBE_MS / 10;
        if ((answered || !wasRunning) && !this.#failure) return undefined;
        if (!this.#failure) {
          this.#logger.warn({ pluginId: this.pluginId, hook }, "plugin kept running past its time limit; disposing its isolate");
          this.#fail("PLUGIN_TIMEOUT");
        }
        return this.#failureError(this.#failure!, hook, timeoutMs);
      },
    };
  }

  /**
   * Loads compiled plugin code (see `compilePlugin`) into a fresh isolate with the runtime and
   * returns the sandbox and what the runtime found. Anything that goes wrong while loading is a
   * PLUGIN_LOAD_FAILED SluiceError; the isolate is disposed then.
   */
  static async create(code: string, options: PluginSandboxOptions): Promise<{ sandbox: PluginSandbox; descriptor: PluginDescriptor }> {
    const sandbox = new PluginSandbox(options);
    try {
      const descriptor = await sandbox.#load(code);
      return { sandbox, descriptor };
    } catch (error) {
      const loadError = sandbox.#loadError(error);
      sandbox.dispose();
      throw loadError;
    }
  }

  #cpuTimeMs(): number {
    try {
      return Number(this.#isolate.cpuTime) / 1e6;
    } catch {
      return 0; // disposed
    }
  }

  /** What the runtime reported about the plugin: kind, valve schemas, tools, hooks. */
  get descriptor(): PluginDescriptor {
    if (!this.#descriptor) throw new SluiceError("INTERNAL", `Plugin "${this.pluginId}" has not finished loading`);
    return this.#descriptor;
  }

  /** True once the isolate is gone: disposed by its owner or after exceeding a limit. */
  get isDisposed(): boolean {
    return this.#isDisposing || this.#isolate.isDisposed;
  }

  /** True when the isolate was lost to a limit (time or memory), not disposed by its owner. */
  get isBroken(): boolean {
    return this.#failure !== undefined || (this.#isolate.isDisposed && !this.#isDisposing);
  }

  /** Calls in flight, open stream hook sessions included. */
  get activeInvocations(): number {
    return this.#invocations.size;
  }

  /** True while a call is in flight, a stream session is open or a request holds it (see {@link hold}). */
  get isInUse(): boolean {
    return this.#invocations.size > 0 || this.#holds > 0;
  }

  async #load(code: string): Promise<PluginDescriptor> {
    const context = await this.#isolate.createContext();
    const host = createSluiceHost({
      pluginId: this.pluginId,
      invocation: (invocationId) => this.#invocations.get(invocationId),
      host: this.#host,
      logger: this.#logger,
      timers: this.#timers,
    });
    this.#releaseHost = await installHost(context, host);
    const runtime = await compileRuntimeScript(this.#isolate);
    try {
      await runtime.run(context, { timeout: this.timeoutMs });
    } finally {
      runtime.release();
    }
    // WebAssembly memories and ICU objects live outside the heap the memory limit watches.
    await context.eval(`${RUNTIME_GLOBAL}.installMemoryGuards(globalThis)`, { timeout: this.timeoutMs });
    // Taken before the plugin runs: a plugin that overwrites the global cannot redirect the host.
    const entries: Partial<RuntimeEntries> = {};
    for (const name of RUNTIME_ENTRY_NAMES) entries[name] = await context.eval(`${RUNTIME_GLOBAL}.${name}`, { reference: true });
    this.#entries = entries as RuntimeEntries;
    this.#probe = await context.eval("(function () {})", { reference: true });

    const pluginScript = await this.#isolate.compileScript(wrapPluginCode(code), { filename: `plugin:${this.pluginId}` });
    const factory: ivm.Reference = await pluginScript.run(context, { reference: true, timeout: this.timeoutMs });
    pluginScript.release();
    let descriptor: unknown;
    try {
      descriptor = await this.#entries.registerPlugin.apply(undefined, [factory.derefInto()], {
        result: { copy: true },
        timeout: this.timeoutMs,
      });
    } finally {
      factory.release();
    }
    if (!isPluginDescriptor(descriptor)) {
      throw new SluiceError("PLUGIN_LOAD_FAILED", "The plugin runtime returned no valid description of the plugin");
    }
    this.#descriptor = descriptor;
    this.#watchdog.start();
    this.#idleCpu.start();
    return descriptor;
  }

  #loadError(error: unknown): SluiceError {
    if (SluiceError.isInstance(error) && error.code === "PLUGIN_LOAD_FAILED") return error;
    const options = { pluginId: this.pluginId, cause: error };
    if (this.#failure === "PLUGIN_TIMEOUT" || messageOf(error) === IVM_TIMEOUT_MESSAGE) {
      return new SluiceError("PLUGIN_LOAD_FAILED", `Plugin did not finish loading within ${this.timeoutMs} ms`, options);
    }
    if (this.#failure === "PLUGIN_MEMORY_LIMIT" || this.#isolate.isDisposed) {
      return new SluiceError("PLUGIN_LOAD_FAILED", `Plugin ran out of memory while loading (the limit is ${this.memoryLimitMb} MB)`, options);
    }
    if (SluiceError.isInstance(error) && error.code === "INTERNAL") return error;
    return new SluiceError("PLUGIN_LOAD_FAILED", messageOf(error), options);
  }

  /**
   * Validates valve values with the plugin's own schema (contract §5). Invalid values are a
   * `{ ok: false, issues }` result; a sandbox failure (time, memory, disposed) is thrown.
   */
  async validateValves(which: "valves" | "userValves", values: unknown): Promise<ValvesResult> {
    const label = which === "valves" ? "valves validation" : "user valves validation";
    const entries = this.#usableEntries(label);
    let result: unknown;
    try {
      result = await entries.validateValves.apply(undefined, [which, values], {
        arguments: { copy: true },
        result: { copy: true },
        timeout: this.timeoutMs,
      });
    } catch (error) {
      throw this.#callError(error, label, this.timeoutMs);
    }
    if (typeof result !== "object" || result === null || typeof (result as { ok?: unknown }).ok !== "boolean") {
      throw new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" returned a malformed valves result`, { pluginId: this.pluginId, hook: label });
    }
    return result as ValvesResult;
  }

  /**
   * Runs one hook (contract §6) and resolves with its outcome; never rejects. `handlers` serve
   * the plugin's `ctx.emit`, `ctx.call`, `ctx.fetch` and `ctx.log` during this call, over the
   * sandbox's defaults. A plugin error, a timeout, the memory limit or an aborted `signal` come
   * back as `{ ok: false, error }` naming the plugin and hook. A pipe's iterable is collected into
   * `chunks` (use {@link invokeStream} to stream it).
   *
   * Time limit (`timeoutMs`, default the sandbox's): the call's own time, not counting its waits
   * for the host (`emit`, `call`, `fetch`); timers and promises that never settle count. A hook
   * that has been quick is called synchronously (two crossings of a few microseconds instead of a
   * promise round trip) when the isolate is idle; a hook that then runs away is stopped after at
   * most 200 ms of blocking, with PLUGIN_TIMEOUT.
   */
  invoke(request: Omit<InvokeRequest, "invocationId">, handlers: InvocationHandlers = {}, options: InvokeOptions = {}): Promise<SandboxInvokeResult> {
    return invokeHook(this.#core, request, handlers, options);
  }

  /**
   * Runs a pipe's `pipe(body, ctx)` and yields what it produces as it produces it: one
   * `{ kind: "value" }` for a returned string or object, or one `{ kind: "chunk" }` per item of a
   * returned (async) iterable, each pulled only when the consumer asks for the next. A failure
   * mid-stream is thrown (a SluiceError naming the plugin and hook) after the chunks already
   * yielded. Stopping early (`return()`, `break`) or aborting `signal` aborts the plugin's
   * `ctx.signal` and ends its iteration (its `finally` blocks run); an aborted signal is thrown as
   * its reason. `timeoutMs` bounds the plugin's own time for each step (start, each chunk), not
   * the time the consumer takes.
   *
   * @example
   * for await (const output of sandbox.invokeStream({ hook: "pipe", payload: body, context }, { emit }, { signal })) {
   *   if (output.kind === "chunk") send(output.value);
   * }
   */
  invokeStream(request: StreamPipeRequest, handlers: InvocationHandlers = {}, options: StreamPipeOptions = {}): AsyncGenerator<PipeOutput, void, undefined> {
    return streamPipe(this.#core, request, handlers, options);
  }

  /**
   * Opens a filter's `stream` hook for one response: valves are validated and `ctx` is built once,
   * then each `transform(chunk)` crosses into the isolate once (synchronously when the isolate is
   * idle and the hook returns synchronously, limited by `streamTimeoutMs`). See {@link StreamHookSession}.
   * Always `close()` the session when the response ends.
   *
   * @example
   * const session = sandbox.openStreamHook({ context }, { emit });
   * try {
   *   for await (const chunk of upstream) {
   *     const output = await session.transform(chunk);
   *     if (SluiceError.isInstance(output)) log.warn(output.message);
   *     else if (output !== null) send(output);
   *   }
   * } finally {
   *   session.close();
   * }
   */
  openStreamHook(request: StreamHookRequest, handlers: InvocationHandlers = {}): StreamHookSession {
    return openStreamHook(this.#core, this.#descriptor, request, handlers);
  }

  #usableEntries(hook: string): RuntimeEntries {
    if (this.#entries && !this.isDisposed) return this.#entries;
    if (this.#failure) throw this.#failureError(this.#failure, hook, this.timeoutMs);
    throw new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" is unloaded; load it again to call ${hook}`, {
      pluginId: this.pluginId,
      hook,
    });
  }

  /** Maps an isolated-vm failure of a call; a time or memory failure disposes the isolate. */
  #callError(error: unknown, hook: string, timeoutMs: number): SluiceError {
    if (SluiceError.isInstance(error)) return error;
    if (!this.#failure && messageOf(error) === IVM_TIMEOUT_MESSAGE) this.#fail("PLUGIN_TIMEOUT");
    // isolated-vm disposes an isolate on its own only when it exceeds its memory limit.
    if (!this.#failure && this.#isolate.isDisposed && !this.#isDisposing) this.#fail("PLUGIN_MEMORY_LIMIT");
    if (this.#failure) return this.#failureError(this.#failure, hook, timeoutMs, error);
    const options = { pluginId: this.pluginId, hook, cause: error };
    if (this.isDisposed) return new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" was unloaded while ${hook} was running`, options);
    return new SluiceError("PLUGIN_ERROR", `Plugin "${this.pluginId}" failed in ${hook}: ${messageOf(error)}`, options);
  }

  #failureError(failure: "PLUGIN_TIMEOUT" | "PLUGIN_MEMORY_LIMIT", hook: string, timeoutMs: number, cause?: unknown): SluiceError {
    const message =
      failure === "PLUGIN_TIMEOUT"
        ? `Plugin "${this.pluginId}" timed out in ${hook} after ${timeoutMs} ms`
        : `Plugin "${this.pluginId}" ran out of memory in ${hook} (the limit is ${this.memoryLimitMb} MB)`;
    return new SluiceError(failure, message, { pluginId: this.pluginId, hook, cause });
  }

  #fail(failure: "PLUGIN_TIMEOUT" | "PLUGIN_MEMORY_LIMIT"): void {
    this.#failure ??= failure;
    this.#teardown();
  }

  /** Disposes the isolate now; calls in flight fail. */
  dispose(): void {
    this.#isDisposing = true;
    this.#teardown();
  }

  /**
   * Keeps the sandbox from being disposed by {@link disposeWhenIdle} until the returned function is
   * called (once; later calls do nothing). A request takes a hold on each plugin it resolved, for
   * its whole length: a plugin saved meanwhile replaces this one for later requests, while this
   * request runs every hook (inlet … outlet) on the code it started with.
   *
   * @example
   * const loaded = await registry.get("function", row);
   * const release = loaded.sandbox.hold();
   * try { await runTurn(loaded); } finally { release(); }
   */
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

  /**
   * Disposes the isolate once no call is in flight, no stream session is open and no request holds
   * it (see {@link hold}): a replaced or deleted plugin finishes the requests that already use it,
   * with the code they started with.
   */
  disposeWhenIdle(): void {
    this.#shouldDisposeWhenIdle = true;
    this.#disposeIfIdle();
  }

  #disposeIfIdle(): void {
    if (this.#shouldDisposeWhenIdle && this.#invocations.size === 0 && this.#holds === 0 && !this.isDisposed) this.dispose();
  }

  #teardown(): void {
    this.#watchdog.stop();
    this.#idleCpu.stop();
    this.#timers.clear();
    for (const invocation of this.#invocations.values()) invocation.clock?.stop();
    for (const reference of [this.#probe, ...Object.values(this.#entries ?? {})]) {
      try {
        reference?.release();
      } catch {
        // Released with its isolate already.
      }
    }
    this.#releaseHost?.();
    this.#releaseHost = undefined;
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
  }
}

