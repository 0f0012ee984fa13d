import { pipeAnswerError, type PipeAnswer } from "./pipe-answer.ts";
import type { InvokeRequest } from "@sluice/sdk/runtime";
import { InvocationClock } from "./invocation-clock.ts";
import type { InvocationHandlers } from "./invocation-handlers.ts";
import { abortReason, awaitCall, parseRuntimeJson, type Invocation, type RuntimeEntries, type SandboxCore } from "./sandbox-core.ts";

/** What a streaming pipe produces: its whole answer (`value`), or one piece of it (`chunk`). */
export type PipeOutput = { kind: "value"; value: unknown } | { kind: "chunk"; value: unknown };

export interface StreamPipeOptions {
  /** Stops the pipe: its `ctx.signal` aborts, its iteration ends, the generator throws the reason. */
  signal?: AbortSignal;
  /** Limit of the plugin's own time per step (start, each chunk); default the sandbox's `timeoutMs`. */
  timeoutMs?: number;
}


/** A pipe request: as for `invoke`, where `hook` may be given but can only be "pipe". */
export type StreamPipeRequest = Omit<InvokeRequest, "invocationId" | "hook"> & { hook?: "pipe" };

const HOOK = "pipe";

/** `PluginSandbox.invokeStream`: see there. */
export async function* streamPipe(
  core: SandboxCore,
  request: StreamPipeRequest,
  handlers: InvocationHandlers,
  options: StreamPipeOptions,
): AsyncGenerator<PipeOutput, void, undefined> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? core.timeoutMs;
  const entries = core.entries(HOOK);
  if (signal?.aborted) throw abortReason(signal);
  const invocation = core.begin(handlers, HOOK, timeoutMs);
  let isOpen = false;
  const stop = (reason: string): void => {
    if (!isOpen) return;
    isOpen = false;
    try {
      entries.stopPipe.applyIgnored(undefined, [invocation.id, reason], { arguments: { copy: true } });
    } catch {
      // The isolate is gone; nothing is left running.
    }
  };
  const awaitOptions = {
    signal,
    onAbort: (reason: Error) => {
      invocation.controller?.abort(reason);
      stop(reason.message);
    },
  };
  try {
    // Open before starting: a pipe returning an iterable is registered by the start itself.
    isOpen = true;
    const started = await step(core, invocation, timeoutMs, awaitOptions, () =>
      entries.startPipe.apply(undefined, [{ ...request, hook: HOOK, invocationId: invocation.id }], {
        arguments: { copy: true },
        result: { promise: true },
        timeout: timeoutMs,
      }),
    );
    if (started.kind !== "stream") {
      isOpen = false;
      yield { kind: "value", value: started.value };
      return;
    }
    for (;;) {
      const pulled = await step(core, invocation, timeoutMs, awaitOptions, () =>
        entries.pullPipe.apply(undefined, [invocation.id], { arguments: { copy: true }, result: { promise: true }, timeout: timeoutMs }),
      );
      if (pulled.done) {
        isOpen = false;
        return;
      }
      yield { kind: "chunk", value: pulled.value };
    }
  } finally {
    // After a failure the runtime has closed the stream already; stopping again is harmless.
    stop("The stream was stopped");
    core.end(invocation);
  }
}

/** One start or pull: its own clock, raced against that clock and the caller's signal. */
async function step(
  core: SandboxCore,
  invocation: Invocation,
  timeoutMs: number,
  awaitOptions: Parameters<typeof awaitCall>[3],
  call: () => Promise<unknown>,
): Promise<PipeAnswer> {
  invocation.clock = new InvocationClock(timeoutMs);
  try {
    const text = await awaitCall(core, invocation, call(), awaitOptions);
    const answer = parseRuntimeJson(core, HOOK, text) as PipeAnswer | null;
    if (answer?.ok === true) return answer;
    throw pipeAnswerError(core.pluginId, answer);
  } finally {
    invocation.clock.stop();
    invocation.clock = undefined;
  }
}
