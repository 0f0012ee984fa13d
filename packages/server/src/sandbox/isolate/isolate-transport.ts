import ivm from "isolated-vm";
import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { exitAtOnce } from "../../process/exit-at-once.ts";
import { answeredWithin } from "../host/answered-within.ts";
import { parsePluginDescriptor } from "../host/parse-plugin-descriptor.ts";
import { failedError, memoryLimitError, messageOf, timeoutError, unloadedError, unloadedWhileRunningError } from "../host/plugin-errors.ts";
import type { CallInfo, PluginConnection, PluginTransport, TransportHost } from "../host/plugin-transport.ts";
import { HostTimers } from "./host-timers.ts";
import { IdleCpuBudget } from "./idle-cpu-budget.ts";
import { installHost } from "./install-host.ts";
import {
  IsolateConnection,
  IVM_TIMEOUT_MESSAGE,
  RUNTIME_ENTRY_NAMES,
  StarvedTimeoutError,
  type RuntimeEntries,
} from "./isolate-connection.ts";
import { IsolateWatchdog } from "./isolate-watchdog.ts";
import { sizeIsolateYoungGeneration } from "./isolate-young-generation.ts";
import { parseUrl } from "./parse-url.ts";
import { RUNTIME_GLOBAL, compileRuntimeScript } from "./runtime-script.ts";

export interface IsolateTransportOptions {
  pluginId: string;
  memoryLimitMb: number;
  timeoutMs: number;
  logger: Logger;
  /** See `PluginSandboxOptions.onCatastrophicError`. */
  onCatastrophicError?: (pluginId: string, message: string) => void;
  /** CPU the isolate may use between calls (its timers) per window. */
  idleCpu: { budgetMs: number; windowMs: number };
}

type Failure = "PLUGIN_TIMEOUT" | "PLUGIN_MEMORY_LIMIT";

// How long an isolate may take to answer a no-op before a call that ran out of time counts as stuck.
const RESPONSIVE_PROBE_MS = 100;

// The CommonJS function the runtime's registerPlugin expects (docs/internals/plugin-runtime.md §1). The runtime reports
// a throw from the module body itself ("The plugin threw while loading: …").
function wrapPluginCode(code: string): string {
  return `(function (module, exports, require) {\n${code}\n})`;
}

/**
 * The isolated tier's transport: the plugin in its own V8 isolate (isolated-vm) in this process,
 * with a heap limit. Every call into it is asynchronous (it runs on isolated-vm's threads, never
 * the server's). A call that runs away (CPU) or runs it out of memory loses the isolate for good
 * (`isBroken`): its owner loads a fresh one. A watchdog and an idle CPU budget catch code running
 * away outside calls. See `PluginSandbox` for the host over it.
 */
export class IsolateTransport implements PluginTransport {
  readonly #host: TransportHost;
  readonly #options: IsolateTransportOptions;
  readonly #code: string;
  readonly #isolate: ivm.Isolate;
  readonly #timers = new HostTimers();
  readonly #watchdog: IsolateWatchdog;
  readonly #idleCpu: IdleCpuBudget;
  #connection: IsolateConnection | undefined;
  #entries: RuntimeEntries | undefined;
  #probe: ivm.Reference | undefined;
  #releaseHost: (() => void) | undefined;
  #failure: Failure | undefined;
  #isDisposing = false;

  constructor(host: TransportHost, code: string, options: IsolateTransportOptions) {
    this.#host = host;
    this.#code = code;
    this.#options = options;
    const { pluginId, logger } = options;
    sizeIsolateYoungGeneration();
    this.#isolate = new ivm.Isolate({
      memoryLimit: options.memoryLimitMb,
      onCatastrophicError: (message) => {
        this.#failure ??= "PLUGIN_MEMORY_LIMIT";
        if (options.onCatastrophicError) options.onCatastrophicError(pluginId, message);
        else exitAtOnce(`isolated-vm lost control of the isolate of plugin "${pluginId}": ${message}`);
      },
    });
    this.#watchdog = new IsolateWatchdog({
      intervalMs: Math.min(Math.max(options.timeoutMs / 5, 10), 1000),
      probe: () => this.#runProbe(),
      stallLimitMs: () => Math.max(options.timeoutMs, ...host.activeCalls().map((call) => call.timeoutMs)),
      cpuTimeMs: () => this.#cpuTimeMs(),
      onStall: (stalledMs) => {
        logger.warn({ pluginId, stalledMs: Math.round(stalledMs) }, "plugin stopped responding; disposing its isolate");
        this.#fail("PLUGIN_TIMEOUT");
      },
    });
    const { idleCpu } = options;
    this.#idleCpu = new IdleCpuBudget({
      ...idleCpu,
      cpuTimeMs: () => this.#cpuTimeMs(),
      isBusy: () => host.activeCalls().length > 0,
      onExceeded: (usedMs) => {
        logger.warn(
          { pluginId, usedMs: Math.round(usedMs), budgetMs: idleCpu.budgetMs, windowMs: idleCpu.windowMs },
          "plugin used too much CPU between calls (timers); disposing its isolate",
        );
        this.#fail("PLUGIN_TIMEOUT");
      },
    });
  }

  /** True once the isolate is gone: disposed by its owner or after exceeding a limit. */
  get isDisposed(): boolean {
    return this.#isDisposing || this.#isolate.isDisposed;
  }

  get isBroken(): boolean {
    return this.#failure !== undefined || (this.#isolate.isDisposed && !this.#isDisposing);
  }

  async load(): Promise<PluginDescriptor> {
    try {
      return await this.#load();
    } catch (error) {
      throw this.#loadError(error);
    }
  }

  async #load(): Promise<PluginDescriptor> {
    const { pluginId, timeoutMs } = this.#options;
    const context = await this.#isolate.createContext();
    const { capabilities } = this.#host;
    this.#releaseHost = await installHost(context, {
      emit: capabilities.emit,
      call: capabilities.call,
      fetch: capabilities.fetch,
      serve: capabilities.serve,
      fetchRead: capabilities.fetchRead,
      fetchClose: capabilities.fetchClose,
      log: capabilities.log,
      sleep: (milliseconds) => this.#timers.sleep(milliseconds),
      parseUrl,
    });
    const runtime = await compileRuntimeScript(this.#isolate);
    try {
      await runtime.run(context, { timeout: timeoutMs });
    } finally {
      runtime.release();
    }
    // WebAssembly memories and ICU objects live outside the heap the memory limit watches.
    await context.eval(`${RUNTIME_GLOBAL}.installMemoryGuards(globalThis)`, { timeout: timeoutMs });
    // Taken before the plugin runs: a plugin that overwrites the global cannot redirect the host.
    const entries: Partial<RuntimeEntries> = {};
    for (const name of RUNTIME_ENTRY_NAMES) entries[name] = await context.eval(`${RUNTIME_GLOBAL}.${name}`, { reference: true });
    this.#entries = entries as RuntimeEntries;
    this.#probe = await context.eval("(function () {})", { reference: true });

    const pluginScript = await this.#isolate.compileScript(wrapPluginCode(this.#code), { filename: `plugin:${pluginId}` });
    const factory: ivm.Reference = await pluginScript.run(context, { reference: true, timeout: timeoutMs });
    pluginScript.release();
    let answer: unknown;
    try {
      answer = await this.#entries.registerPlugin.apply(undefined, [factory.derefInto()], { result: { copy: true }, timeout: timeoutMs });
    } finally {
      factory.release();
    }
    const descriptor = parsePluginDescriptor(answer, pluginId);
    this.#connection = new IsolateConnection(this.#entries, {
      isUsable: () => !this.isDisposed,
      cpuTimeMs: () => this.#cpuTimeMs(),
      starved: () =>
        this.#options.logger.warn(
          { pluginId },
          "isolated-vm stopped a plugin task at its time limit while the isolate hardly used the CPU (the machine is overloaded); the isolate stays",
        ),
      confirmTimeout: (call) => this.#confirmTimeout(call),
    });
    this.#watchdog.start();
    this.#idleCpu.start();
    return descriptor;
  }

  #loadError(error: unknown): SluiceError {
    const { pluginId, timeoutMs, memoryLimitMb } = this.#options;
    if (SluiceError.isInstance(error) && error.code === "PLUGIN_LOAD_FAILED") return error;
    const options = { pluginId, cause: error };
    if (this.#failure === "PLUGIN_TIMEOUT" || messageOf(error) === IVM_TIMEOUT_MESSAGE) {
      return new SluiceError("PLUGIN_LOAD_FAILED", `Plugin did not finish loading within ${timeoutMs} ms`, options);
    }
    if (this.#failure === "PLUGIN_MEMORY_LIMIT" || this.#isolate.isDisposed) {
      return new SluiceError("PLUGIN_LOAD_FAILED", `Plugin ran out of memory while loading (the limit is ${memoryLimitMb} MB)`, options);
    }
    if (SluiceError.isInstance(error) && error.code === "INTERNAL") return error;
    return new SluiceError("PLUGIN_LOAD_FAILED", messageOf(error), options);
  }

  connect(hook: string): PluginConnection {
    if (this.#connection && !this.isDisposed) {
      this.#idleCpu.noteCall();
      return this.#connection;
    }
    if (this.#failure) throw this.#failureError(this.#failure, { id: "", hook, timeoutMs: this.#options.timeoutMs });
    throw unloadedError({ pluginId: this.#options.pluginId, hook });
  }

  /** Maps an isolated-vm failure of a call; a time or memory failure disposes the isolate. */
  describeFailure(error: unknown, call: CallInfo): SluiceError {
    if (SluiceError.isInstance(error)) return error;
    if (error instanceof StarvedTimeoutError && !this.#failure && !this.isDisposed) {
      return timeoutError({ pluginId: this.#options.pluginId, hook: call.hook }, call.timeoutMs, error);
    }
    if (!this.#failure && messageOf(error) === IVM_TIMEOUT_MESSAGE) this.#fail("PLUGIN_TIMEOUT");
    // isolated-vm disposes an isolate on its own only when it exceeds its memory limit.
    if (!this.#failure && this.#isolate.isDisposed && !this.#isDisposing) this.#fail("PLUGIN_MEMORY_LIMIT");
    if (this.#failure) return this.#failureError(this.#failure, call, error);
    const details = { pluginId: this.#options.pluginId, hook: call.hook };
    if (this.isDisposed) return unloadedWhileRunningError(details, error);
    return failedError(details, error);
  }

  /**
   * A call's time ran out: when the isolate does not answer a no-op at once while it keeps
   * running and finishes nothing else meanwhile, code is running away in it, and the only way to
   * stop it is to dispose the isolate. A busy isolate working through other calls and chunks (the
   * no-op waits behind them) is not stuck.
   */
  async #confirmTimeout(call: CallInfo): Promise<SluiceError | undefined> {
    if (this.isDisposed) return this.#failure ? this.#failureError(this.#failure, call) : undefined;
    const cpuBefore = this.#cpuTimeMs();
    const answeredBefore = this.#connection?.answeredCount ?? 0;
    const answered = await answeredWithin(this.#runProbe(), RESPONSIVE_PROBE_MS);
    // Unanswered while the isolate was not running means the server was slow to read the answer.
    const wasRunning = this.#cpuTimeMs() - cpuBefore >= RESPONSIVE_PROBE_MS / 10;
    const madeProgress = (this.#connection?.answeredCount ?? 0) !== answeredBefore;
    if ((answered || !wasRunning || madeProgress) && !this.#failure) return undefined;
    if (!this.#failure) {
      this.#options.logger.warn(
        { pluginId: this.#options.pluginId, hook: call.hook },
        "plugin kept running past its time limit; disposing its isolate",
      );
      this.#fail("PLUGIN_TIMEOUT");
    }
    return this.#failureError(this.#failure!, call);
  }

  /** Queues a no-op in the isolate; settles once the isolate has run it. */
  async #runProbe(): Promise<unknown> {
    if (!this.#probe || this.isDisposed) throw new Error("The isolate is not loaded");
    return this.#probe.apply(undefined, []);
  }

  #cpuTimeMs(): number {
    try {
      return Number(this.#isolate.cpuTime) / 1e6;
    } catch {
      return 0; // disposed
    }
  }

  #failureError(failure: Failure, call: CallInfo, cause?: unknown): SluiceError {
    const details = { pluginId: this.#options.pluginId, hook: call.hook };
    return failure === "PLUGIN_TIMEOUT"
      ? timeoutError(details, call.timeoutMs, cause)
      : memoryLimitError(details, this.#options.memoryLimitMb, cause);
  }

  #fail(failure: Failure): void {
    this.#failure ??= failure;
    this.#teardown();
  }

  /** Disposes the isolate now; calls in flight fail. */
  dispose(): void {
    this.#isDisposing = true;
    this.#teardown();
  }

  #teardown(): void {
    this.#watchdog.stop();
    this.#idleCpu.stop();
    this.#timers.clear();
    this.#host.sandboxLost();
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
