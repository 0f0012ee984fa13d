import type { InvokeRequest, PluginDescriptor, ValvesResult } from "@sluice/sdk/runtime";
import type { InvocationHandlers } from "./invocation-handlers.ts";
import type { InvokeOptions } from "./invoke-hook.ts";
import type { SandboxInvokeResult } from "./parse-invoke-result.ts";
import type { StreamHookRequest, StreamHookSession } from "./stream-hook.ts";
import type { PipeOutput, StreamPipeOptions, StreamPipeRequest } from "./stream-pipe.ts";

/**
 * What the registry and the chat pipeline use of a loaded plugin, whichever tier runs it:
 * `PluginSandbox` (an isolate, the default) or `NodePluginSandbox` (a child process, the trusted
 * tier). See PluginSandbox for what each member does.
 */
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
  invoke(request: Omit<InvokeRequest, "invocationId">, handlers?: InvocationHandlers, options?: InvokeOptions): Promise<SandboxInvokeResult>;
  invokeStream(request: StreamPipeRequest, handlers?: InvocationHandlers, options?: StreamPipeOptions): AsyncGenerator<PipeOutput, void, undefined>;
  openStreamHook(request: StreamHookRequest, handlers?: InvocationHandlers): StreamHookSession;
  /** Keeps it from being disposed by `disposeWhenIdle` until the returned function is called. */
  hold(): () => void;
  dispose(): void;
  disposeWhenIdle(): void;
}
