import type { Logger } from "pino";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { PluginHost } from "../host/plugin-host.ts";
import type { HostHandlers } from "../invocation-handlers.ts";
import { IsolateTransport } from "./isolate-transport.ts";

export type { SandboxInvokeResult } from "../host/parse-invoke-result.ts";
export type { InvokeOptions } from "../host/invoke-hook.ts";
export type { PipeOutput, StreamPipeOptions, StreamPipeRequest } from "../host/stream-pipe.ts";
export type { StreamFilterOutput, StreamFilterRequest, StreamFilterSession } from "../host/stream-filter-session.ts";

export interface PluginSandboxOptions {
  pluginId: string;
  /** Heap limit of the isolate; exceeding it disposes the isolate. Default 128. */
  memoryLimitMb?: number;
  /** Default time limit of loading and of each call, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Time limit of a stream hook on one chunk, in milliseconds. Default 100. */
  streamTimeoutMs?: number;
  /** How long a call's background work (`ctx.waitUntil`) may go on after its hook returned. Default 30000. */
  waitUntilMs?: number;
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

/**
 * One plugin loaded into its own V8 isolate (isolated-vm) with a memory limit, per-call time limits
 * and the host capabilities of docs/internals/plugin-runtime.md §4: a {@link PluginHost} over an
 * {@link IsolateTransport}. A call that exceeds a limit fails with PLUGIN_TIMEOUT or
 * PLUGIN_MEMORY_LIMIT; a runaway (CPU) or out-of-memory call leaves the sandbox disposed
 * (`isBroken`), so its owner loads a fresh one.
 *
 * Calls into one sandbox may overlap (several chats using one filter): the isolate runs one piece
 * of plugin code at a time, and each call keeps its own invocation id, handlers and result.
 *
 * @example
 * const { sandbox, descriptor } = await PluginSandbox.create(code, { pluginId: "turn_limit", host: {}, logger });
 * const result = await sandbox.invoke({ hook: "inlet", payload: body, context }, { emit: sendToChat });
 * if (!result.ok) throw result.error;
 */
export class PluginSandbox extends PluginHost {
  private constructor(code: string, options: PluginSandboxOptions) {
    const settings = {
      pluginId: options.pluginId,
      memoryLimitMb: options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      streamTimeoutMs: options.streamTimeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS,
      ...(options.waitUntilMs === undefined ? {} : { waitUntilMs: options.waitUntilMs }),
      host: options.host,
      logger: options.logger,
    };
    super(
      settings,
      (host) =>
        new IsolateTransport(host, code, {
          ...settings,
          onCatastrophicError: options.onCatastrophicError,
          idleCpu: {
            budgetMs: options.idleCpu?.budgetMs ?? DEFAULT_IDLE_CPU_MS,
            windowMs: options.idleCpu?.windowMs ?? IDLE_CPU_WINDOW_MS,
          },
        }),
    );
  }

  /**
   * Loads compiled plugin code (see `compilePlugin`) into a fresh isolate with the runtime and
   * returns the sandbox and what the runtime found. Anything that goes wrong while loading is a
   * PLUGIN_LOAD_FAILED SluiceError; the isolate is disposed then.
   */
  static async create(code: string, options: PluginSandboxOptions): Promise<{ sandbox: PluginSandbox; descriptor: PluginDescriptor }> {
    const sandbox = new PluginSandbox(code, options);
    const descriptor = await sandbox.loadPlugin();
    return { sandbox, descriptor };
  }
}
