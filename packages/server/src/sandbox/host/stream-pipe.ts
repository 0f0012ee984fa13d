import type { InvokeRequest } from "@sluice/sdk/runtime";
import type { InvocationHandlers } from "../invocation-handlers.ts";
import { awaitCall, parseRuntimeJson } from "./await-call.ts";
import type { HostCalls, Invocation } from "./host-calls.ts";
import { InvocationClock } from "./invocation-clock.ts";
import { malformedResultError, runtimeError, type RawRuntimeError } from "./plugin-errors.ts";
import type { PluginConnection } from "./plugin-transport.ts";
import { abortReason, type AwaitCallOptions } from "./race-call.ts";

/** What a streaming pipe produces: its whole answer (`value`), or one piece of it (`chunk`). */
export type PipeOutput = { kind: "value"; value: unknown } | { kind: "chunk"; value: unknown };

export interface StreamPipeOptions {
  /** Stops the pipe: its `ctx.signal` aborts, its iteration ends, the generator throws the reason. */
  signal?: AbortSignal;
  /** Limit of the plugin's own time per step (start, each chunk); default the plugin's `timeoutMs`. */
  timeoutMs?: number;
}

/** A pipe request: as for `invoke`, where `hook` may be given but can only be "pipe". */
export type StreamPipeRequest = Omit<InvokeRequest, "invocationId" | "hook"> & { hook?: "pipe" };

/** What the runtime answers to a start or pull of a streaming pipe (docs/internals/plugin-runtime.md §8). */
interface PipeAnswer {
  ok?: unknown;
  kind?: string;
  done?: boolean;
  value?: unknown;
  error?: RawRuntimeError;
}

const HOOK = "pipe";

/** `PluginHost.streamPipe`: see there. */
export async function* streamPipe(
  calls: HostCalls,
  request: StreamPipeRequest,
  handlers: InvocationHandlers,
  options: StreamPipeOptions,
): AsyncGenerator<PipeOutput, void, undefined> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? calls.timeoutMs;
  if (signal?.aborted) throw abortReason(signal);
  const connection = await calls.connect(HOOK);
  const invocation = calls.begin(handlers, HOOK, timeoutMs);
  let isOpen = false;
  const stop = (reason: string): void => {
    if (!isOpen) return;
    isOpen = false;
    connection.notify("stopPipe", [invocation.id, reason]);
  };
  const awaitOptions: AwaitCallOptions = {
    signal,
    onAbort: (reason) => {
      invocation.controller?.abort(reason);
      stop(reason.message);
    },
  };
  const step = (call: () => Promise<string>) => runStep(calls, invocation, connection, awaitOptions, call);
  try {
    // Open before starting: a pipe returning an iterable is registered by the start itself.
    isOpen = true;
    const started = await step(() => connection.call("startPipe", [{ ...request, hook: HOOK, invocationId: invocation.id }], timeoutMs));
    if (started.kind !== "stream") {
      isOpen = false;
      yield { kind: "value", value: started.value };
      return;
    }
    for (;;) {
      const pulled = await step(() => connection.call("pullPipe", [invocation.id], timeoutMs));
      if (pulled.done) {
        isOpen = false;
        return;
      }
      yield { kind: "chunk", value: pulled.value };
    }
  } finally {
    // After a failure the runtime has closed the stream already; stopping again is harmless.
    stop("The stream was stopped");
    calls.end(invocation);
  }
}

/** One start or pull: its own clock, raced against that clock and the caller's signal. */
async function runStep(
  calls: HostCalls,
  invocation: Invocation,
  connection: PluginConnection,
  awaitOptions: AwaitCallOptions,
  call: () => Promise<string>,
): Promise<PipeAnswer> {
  invocation.clock = new InvocationClock(invocation.timeoutMs);
  try {
    const text = await awaitCall(calls, invocation, connection, call(), awaitOptions);
    const answer = parseRuntimeJson(calls.pluginId, HOOK, text) as PipeAnswer | null;
    if (answer?.ok === true) return answer;
    const details = { pluginId: calls.pluginId, hook: HOOK };
    throw answer?.error ? runtimeError(answer.error, details) : malformedResultError(details);
  } finally {
    invocation.clock.stop();
    invocation.clock = undefined;
  }
}
