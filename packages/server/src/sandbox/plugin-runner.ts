import type { InvokeRequest, PluginDescriptor, ValvesResult } from "@sluice/sdk/runtime";
import type { InvokeOptions } from "./host/invoke-hook.ts";
import type { SandboxInvokeResult } from "./host/parse-invoke-result.ts";
import type { StreamFilterRequest, StreamFilterSession } from "./host/stream-filter-session.ts";
import type { PipeOutput, StreamPipeOptions, StreamPipeRequest } from "./host/stream-pipe.ts";
import type { InvocationHandlers } from "./invocation-handlers.ts";

/**
 * What the registry and the chat pipeline use of a loaded plugin, whichever tier runs it:
 * `PluginSandbox` (an isolate, the default) or `NodePluginSandbox` (a child process, the trusted
 * tier), both a `PluginHost` over their transport. See PluginHost for what each member does.
 */
/** Who reads a valves form, as Open WebUI gives them to an options method (`__user__`). */
export interface ValvesReader {
  id: string;
  name: string;
  email: string;
  role: string;
}

export interface PluginRunner {
  readonly pluginId: string;
  readonly memoryLimitMb: number;
  readonly timeoutMs: number;
  readonly streamTimeoutMs: number;
  readonly descriptor: PluginDescriptor;
  /** True once it can no longer be called: its owner loads the plugin again. */
  readonly isDisposed: boolean;
  /** True when it was lost to a limit rather than disposed by its owner. */
  readonly isBroken: boolean;
  readonly activeInvocations: number;
  /** True while a call is in flight, a stream session is open or a request holds it (see `hold`): the registry never evicts it then. */
  readonly isInUse: boolean;
  validateValves(which: "valves" | "userValves", values: unknown): Promise<ValvesResult>;
  /**
   * The valves form's JSON Schema for this reader, when the plugin lists options per reader
   * (the Python tier); without it, the descriptor's schema is the form.
   */
  valvesSpec?(which: "valves" | "userValves", reader: ValvesReader): Promise<object | null>;
  invoke(
    request: Omit<InvokeRequest, "invocationId">,
    handlers?: InvocationHandlers,
    options?: InvokeOptions,
  ): Promise<SandboxInvokeResult>;
  /** Runs a pipe and yields its output as it produces it. */
  streamPipe(
    request: StreamPipeRequest,
    handlers?: InvocationHandlers,
    options?: StreamPipeOptions,
  ): AsyncGenerator<PipeOutput, void, undefined>;
  /** Opens a filter's `stream` hook for one response. */
  openStreamFilter(request: StreamFilterRequest, handlers?: InvocationHandlers): StreamFilterSession;
  /** Keeps it from being disposed by `disposeWhenIdle` until the returned function is called. */
  hold(): () => void;
  dispose(): void;
  disposeWhenIdle(): void;
}
