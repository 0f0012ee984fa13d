import { randomUUID } from "node:crypto";
import ivm from "isolated-vm";
import type { Logger } from "pino";
import { PLUGIN_KINDS, SluiceError } from "@sluice/sdk";
import type { InvokeRequest, PluginDescriptor, ValvesResult } from "@sluice/sdk/runtime";
import { createSluiceHost } from "./create-sluice-host.ts";
import { HostTimers } from "./host-timers.ts";
import { installHost } from "./install-host.ts";
import type { HostHandlers, InvocationHandlers } from "./invocation-handlers.ts";
import { IsolateWatchdog } from "./isolate-watchdog.ts";
import { parseInvokeResult, type SandboxInvokeResult } from "./parse-invoke-result.ts";
import { RUNTIME_GLOBAL, compileRuntimeScript } from "./runtime-script.ts";

export type { SandboxInvokeResult } from "./parse-invoke-result.ts";

export interface PluginSandboxOptions {
  pluginId: string;
  /** Heap limit of the isolate; exceeding it disposes the isolate. Default 128. */
  memoryLimitMb?: number;
  /** Default time limit of loading and of each call, in milliseconds. Default 5000. */
  timeoutMs?: number;
  host: HostHandlers;
  logger: Logger;
}

interface Invocation {
  handlers: InvocationHandlers;
  hook: string;
  timeoutMs: number;
}

interface RuntimeEntries {
  registerPlugin: ivm.Reference;
  validateValves: ivm.Reference;
  invokeHook: ivm.Reference;
  abortInvocation: ivm.Reference;
}

export interface InvokeOptions {
  /** Time limit of this call; default the sandbox's `timeoutMs`. */
  timeoutMs?: number;
  /** Aborts the plugin's `ctx.signal` (client gone, request cancelled); the hook decides how to stop. */
  signal?: AbortSignal;
}

const DEFAULT_MEMORY_LIMIT_MB = 128;
const DEFAULT_TIMEOUT_MS = 5000;
const IVM_TIMEOUT_MESSAGE = "Script execution timed out.";

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
 * fails with PLUGIN_TIMEOUT or PLUGIN_MEMORY_LIMIT and leaves the sandbox disposed (`isBroken`),
 * so its owner loads a fresh one.
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
  readonly #host: HostHandlers;
  readonly #logger: Logger;
  readonly #isolate: ivm.Isolate;
  readonly #timers = new HostTimers();
  readonly #invocations = new Map<string, Invocation>();
  readonly #watchdog: IsolateWatchdog;
  #descriptor: PluginDescriptor | undefined;
  #entries: RuntimeEntries | undefined;
  #probe: ivm.Reference | undefined;
  #releaseHost: (() => void) | undefined;
  #failure: "PLUGIN_TIMEOUT" | "PLUGIN_MEMORY_LIMIT" | undefined;
  #isDisposing = false;
  #shouldDisposeWhenIdle = false;

  private constructor(options: PluginSandboxOptions) {
    this.pluginId = options.pluginId;
    this.memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#host = options.host;
    this.#logger = options.logger;
    this.#isolate = new ivm.Isolate({
      memoryLimit: this.memoryLimitMb,
      onCatastrophicError: (message) => {
        this.#logger.fatal({ pluginId: this.pluginId }, `isolated-vm lost control of a plugin isolate: ${message}`);
      },
    });
    this.#watchdog = new IsolateWatchdog({
      intervalMs: Math.min(Math.max(this.timeoutMs / 5, 10), 1000),
      probe: () => this.#probe?.apply(undefined, []) ?? Promise.resolve(),
      stallLimitMs: () => Math.max(this.timeoutMs, ...[...this.#invocations.values()].map((call) => call.timeoutMs)),
      onStall: (stalledMs) => {
        this.#logger.warn({ pluginId: this.pluginId, stalledMs: Math.round(stalledMs) }, "plugin stopped responding; disposing its isolate");
        this.#fail("PLUGIN_TIMEOUT");
      },
    });
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

  /** Calls in flight. */
  get activeInvocations(): number {
    return this.#invocations.size;
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
    const entry = (name: string): Promise<ivm.Reference> => context.eval(`${RUNTIME_GLOBAL}.${name}`, { reference: true });
    // Taken before the plugin runs: a plugin that overwrites the global cannot redirect the host.
    this.#entries = {
      registerPlugin: await entry("registerPlugin"),
      validateValves: await entry("validateValves"),
      invokeHook: await entry("invokeHook"),
      abortInvocation: await entry("abortInvocation"),
    };
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
   * Runs one hook (contract §6). `handlers` serve the plugin's `ctx.emit`, `ctx.call`, `ctx.fetch`
   * and `ctx.log` during this call, over the sandbox's defaults. Never rejects: a plugin error, a
   * timeout or the memory limit come back as `{ ok: false, error }` naming the plugin and hook.
   */
  async invoke(
    request: Omit<InvokeRequest, "invocationId">,
    handlers: InvocationHandlers = {},
    options: InvokeOptions = {},
  ): Promise<SandboxInvokeResult> {
    const hook = request.hook === "tool" && request.toolName ? request.toolName : request.hook;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let entries: RuntimeEntries;
    try {
      entries = this.#usableEntries(hook);
    } catch (error) {
      return { ok: false, error: error as SluiceError };
    }
    const invocationId = randomUUID();
    this.#invocations.set(invocationId, { handlers, hook, timeoutMs });
    const { signal } = options;
    const abort = (): void => {
      if (this.isDisposed) return;
      const reason = signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? "The request was aborted");
      entries.abortInvocation.applyIgnored(undefined, [invocationId, reason], { arguments: { copy: true } });
    };
    signal?.addEventListener("abort", abort, { once: true });
    try {
      const running: Promise<unknown> = entries.invokeHook.apply(undefined, [{ ...request, invocationId }], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
        timeout: timeoutMs,
      });
      // Tasks run in the isolate in the order they were queued: the hook has started by then.
      if (signal?.aborted) abort();
      return parseInvokeResult(await running, this.pluginId, hook);
    } catch (error) {
      return { ok: false, error: this.#callError(error, hook, timeoutMs) };
    } finally {
      signal?.removeEventListener("abort", abort);
      this.#invocations.delete(invocationId);
      if (this.#shouldDisposeWhenIdle && this.#invocations.size === 0) this.dispose();
    }
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

  /** Disposes the isolate once no call is in flight (a replaced or deleted plugin finishes its calls). */
  disposeWhenIdle(): void {
    if (this.#invocations.size === 0) this.dispose();
    else this.#shouldDisposeWhenIdle = true;
  }

  #teardown(): void {
    this.#watchdog.stop();
    this.#timers.clear();
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
