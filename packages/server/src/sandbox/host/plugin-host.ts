import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { InvokeRequest, PluginDescriptor, ValvesResult } from "@sluice/sdk/runtime";
import type { HostHandlers, InvocationHandlers } from "../invocation-handlers.ts";
import type { PluginRunner } from "../plugin-runner.ts";
import { awaitBackgroundWork } from "./await-background-work.ts";
import type { HostCalls, Invocation } from "./host-calls.ts";
import { invokeHook, type InvokeOptions } from "./invoke-hook.ts";
import type { SandboxInvokeResult } from "./parse-invoke-result.ts";
import { createPluginCapabilities } from "./plugin-capabilities.ts";
import type { PluginTransport, TransportHost } from "./plugin-transport.ts";
import { openStreamFilter, type StreamFilterRequest, type StreamFilterSession } from "./stream-filter-session.ts";
import { streamPipe, type PipeOutput, type StreamPipeOptions, type StreamPipeRequest } from "./stream-pipe.ts";
import { validateValves } from "./validate-valves.ts";

/** `PLUGIN_WAIT_UNTIL_MS` when a host is made without it. */
const DEFAULT_WAIT_UNTIL_MS = 30_000;

export interface PluginHostSettings {
  pluginId: string;
  memoryLimitMb: number;
  /** Default time limit of each call, in milliseconds. */
  timeoutMs: number;
  /** Time limit of a stream hook on one chunk, in milliseconds. */
  streamTimeoutMs: number;
  /** How long a call's background work (`ctx.waitUntil`) may go on after its hook returned (`PLUGIN_WAIT_UNTIL_MS`); 30 s by default. */
  waitUntilMs?: number;
  /** Defaults for the plugin's `ctx.emit`, `ctx.call`, `ctx.fetch` and `ctx.log` (see InvocationHandlers). */
  host: HostHandlers;
  logger: Logger;
}

/**
 * One loaded plugin, whichever transport runs its code (see {@link PluginTransport}): the host
 * side of the plugin runtime's protocol, written once. It keeps the calls in flight (each with
 * its invocation id, handlers, clock and abort signal), holds and dispose-when-idle, runs hooks,
 * pipe streams and stream filter sessions with their time limits, serves what the plugin asks of
 * the host, and checks every answer. `PluginSandbox` (an isolate) and `NodePluginSandbox` (a
 * child process) are this over their transports.
 */
export class PluginHost implements PluginRunner {
  readonly pluginId: string;
  readonly memoryLimitMb: number;
  readonly timeoutMs: number;
  readonly streamTimeoutMs: number;
  readonly #invocations = new Map<string, Invocation>();
  readonly #transport: PluginTransport;
  readonly #calls: HostCalls;
  #descriptor: PluginDescriptor | undefined;
  #holds = 0;
  #shouldDisposeWhenIdle = false;

  /** `createTransport` receives what the host lends a transport; the plugin is not loaded yet (see {@link loadPlugin}). */
  constructor(settings: PluginHostSettings, createTransport: (host: TransportHost) => PluginTransport) {
    this.pluginId = settings.pluginId;
    this.memoryLimitMb = settings.memoryLimitMb;
    this.timeoutMs = settings.timeoutMs;
    this.streamTimeoutMs = settings.streamTimeoutMs;
    const capabilities = createPluginCapabilities({
      pluginId: this.pluginId,
      invocation: (invocationId) => this.#invocations.get(invocationId),
      host: settings.host,
      logger: settings.logger,
    });
    this.#transport = createTransport({
      pluginId: this.pluginId,
      capabilities,
      activeCalls: () => [...this.#invocations.values()],
      sandboxLost: () => {
        for (const invocation of this.#invocations.values()) invocation.clock?.stop();
      },
    });
    const transport = this.#transport;
    this.#calls = {
      pluginId: this.pluginId,
      timeoutMs: this.timeoutMs,
      streamTimeoutMs: this.streamTimeoutMs,
      connect: (hook) => transport.connect(hook),
      begin: (handlers, hook, timeoutMs) => {
        const invocation: Invocation = { id: randomUUID(), handlers, hook, timeoutMs };
        this.#invocations.set(invocation.id, invocation);
        return invocation;
      },
      end: (invocation) => {
        if (invocation.hasBackground) {
          // Once: the call stays registered (in use, its capabilities working) while its work goes on.
          invocation.hasBackground = false;
          const options = { pluginId: this.pluginId, waitUntilMs: settings.waitUntilMs ?? DEFAULT_WAIT_UNTIL_MS, logger: settings.logger };
          void awaitBackgroundWork(() => transport.connect(invocation.hook), invocation, options).finally(() => this.#endCall(invocation));
          return;
        }
        this.#endCall(invocation);
      },
      callError: (error, call) => (SluiceError.isInstance(error) ? error : transport.describeFailure(error, call)),
    };
  }

  #endCall(invocation: Invocation): void {
    invocation.clock?.stop();
    invocation.controller?.abort(new Error("The hook call has ended"));
    this.#invocations.delete(invocation.id);
    this.#disposeIfIdle();
  }

  /** Loads the plugin through the transport; on failure the transport is disposed and the PLUGIN_LOAD_FAILED error thrown. */
  protected async loadPlugin(): Promise<PluginDescriptor> {
    try {
      this.#descriptor = await this.#transport.load();
      return this.#descriptor;
    } catch (error) {
      this.dispose();
      throw SluiceError.isInstance(error)
        ? error
        : new SluiceError("PLUGIN_LOAD_FAILED", String(error), { pluginId: this.pluginId, cause: error });
    }
  }

  /** What the runtime reported about the plugin: kind, valve schemas, tools, hooks. */
  get descriptor(): PluginDescriptor {
    if (!this.#descriptor) throw new SluiceError("INTERNAL", `Plugin "${this.pluginId}" has not finished loading`);
    return this.#descriptor;
  }

  /** True once it can no longer be called (disposed, or lost to a limit): its owner loads the plugin again. */
  get isDisposed(): boolean {
    return this.#transport.isDisposed;
  }

  /** True when the plugin was lost to a limit (time or memory), not disposed by its owner. */
  get isBroken(): boolean {
    return this.#transport.isBroken;
  }

  /** Calls in flight, open stream filter sessions included. */
  get activeInvocations(): number {
    return this.#invocations.size;
  }

  /** True while a call is in flight, a stream filter session is open or a request holds it (see {@link hold}). */
  get isInUse(): boolean {
    return this.#invocations.size > 0 || this.#holds > 0;
  }

  /**
   * Validates valve values with the plugin's own schema (docs/internals/plugin-runtime.md §5). Invalid values are a
   * `{ ok: false, issues }` result; a failure of the plugin (time, memory, crash, disposed) is thrown.
   */
  validateValves(which: "valves" | "userValves", values: unknown): Promise<ValvesResult> {
    return validateValves(this.#calls, which, values);
  }

  /**
   * Runs one hook (docs/internals/plugin-runtime.md §6) and resolves with its outcome; never rejects. `handlers` serve
   * the plugin's `ctx.emit`, `ctx.call`, `ctx.fetch` and `ctx.log` during this call, over the
   * plugin's defaults. A plugin error, a timeout, the memory limit or an aborted `signal` come
   * back as `{ ok: false, error }` naming the plugin and hook. A pipe's iterable is collected into
   * `chunks` (use {@link streamPipe} to stream it).
   *
   * Time limit (`timeoutMs`, default the plugin's): the call's own time, not counting its waits
   * for the host (`emit`, `call`, `fetch`); timers and promises that never settle count.
   *
   * @example
   * const result = await plugin.invoke({ hook: "inlet", payload: body, context }, { emit: sendToChat });
   * if (!result.ok) throw result.error;
   */
  invoke(
    request: Omit<InvokeRequest, "invocationId">,
    handlers: InvocationHandlers = {},
    options: InvokeOptions = {},
  ): Promise<SandboxInvokeResult> {
    return invokeHook(this.#calls, request, handlers, options);
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
   * for await (const output of plugin.streamPipe({ payload: body, context }, { emit }, { signal })) {
   *   if (output.kind === "chunk") send(output.value);
   * }
   */
  streamPipe(
    request: StreamPipeRequest,
    handlers: InvocationHandlers = {},
    options: StreamPipeOptions = {},
  ): AsyncGenerator<PipeOutput, void, undefined> {
    return streamPipe(this.#calls, request, handlers, options);
  }

  /**
   * Opens a filter's `stream` hook for one response: valves are validated and `ctx` is built once,
   * then each `transform(chunk)` runs the hook on one chunk, in order, each within
   * `streamTimeoutMs`. See {@link StreamFilterSession}. Always `close()` the session when the
   * response ends.
   *
   * @example
   * const session = plugin.openStreamFilter({ context }, { emit });
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
  openStreamFilter(request: StreamFilterRequest, handlers: InvocationHandlers = {}): StreamFilterSession {
    return openStreamFilter(this.#calls, this.#descriptor, request, handlers);
  }

  /** Ends the plugin now (disposes its isolate, kills its process); calls in flight fail. */
  dispose(): void {
    this.#transport.dispose();
  }

  /**
   * Keeps the plugin from being disposed by {@link disposeWhenIdle} until the returned function is
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
   * Disposes the plugin once no call is in flight, no stream filter session is open and no request
   * holds it (see {@link hold}): a replaced or deleted plugin finishes the requests that already
   * use it, with the code they started with.
   */
  disposeWhenIdle(): void {
    this.#shouldDisposeWhenIdle = true;
    this.#disposeIfIdle();
  }

  #disposeIfIdle(): void {
    if (this.#shouldDisposeWhenIdle && this.#invocations.size === 0 && this.#holds === 0 && !this.isDisposed) this.dispose();
  }
}
