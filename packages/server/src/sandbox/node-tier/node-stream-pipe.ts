import { pipeAnswerError, type PipeAnswer } from "../pipe-answer.ts";
import { InvocationClock } from "../host/invocation-clock.ts";
import type { InvocationHandlers } from "../invocation-handlers.ts";
import type { PipeOutput, StreamPipeOptions, StreamPipeRequest } from "../host/stream-pipe.ts";
import { abortReason, type NodeAwaitOptions, type NodeCore, type NodeInvocation } from "./node-core.ts";
import { parseChildJson } from "./node-tier-protocol.ts";


const HOOK = "pipe";

/**
 * `NodePluginSandbox.invokeStream`: a pipe's output pulled from the process one chunk per request,
 * so the plugin produces a chunk only after the consumer took the previous one (backpressure).
 * Semantics as `PluginSandbox.invokeStream`.
 */
export async function* streamNodePipe(
  core: NodeCore,
  request: StreamPipeRequest,
  handlers: InvocationHandlers,
  options: StreamPipeOptions,
): AsyncGenerator<PipeOutput, void, undefined> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? core.timeoutMs;
  if (signal?.aborted) throw abortReason(signal);
  const child = await core.connect(HOOK);
  const invocation = core.begin(handlers, HOOK, timeoutMs, child);
  let isOpen = false;
  const stop = (reason: string): void => {
    if (!isOpen) return;
    isOpen = false;
    child.signal("stopPipe", [invocation.id, reason]);
  };
  const awaitOptions: NodeAwaitOptions = { signal, onAbort: (reason) => stop(reason.message) };
  try {
    isOpen = true;
    const started = await step(core, invocation, timeoutMs, awaitOptions, () =>
      child.request("startPipe", [{ ...request, hook: HOOK, invocationId: invocation.id }]),
    );
    if (started.kind !== "stream") {
      isOpen = false;
      yield { kind: "value", value: started.value };
      return;
    }
    for (;;) {
      const pulled = await step(core, invocation, timeoutMs, awaitOptions, () => child.request("pullPipe", [invocation.id]));
      if (pulled.done) {
        isOpen = false;
        return;
      }
      yield { kind: "chunk", value: pulled.value };
    }
  } finally {
    stop("The stream was stopped");
    core.end(invocation);
  }
}

/** One start or pull, with its own clock. */
async function step(core: NodeCore, invocation: NodeInvocation, timeoutMs: number, awaitOptions: NodeAwaitOptions, call: () => Promise<string>): Promise<PipeAnswer> {
  invocation.clock = new InvocationClock(timeoutMs);
  try {
    const answer = parseChildJson(await core.awaitCall(invocation, call(), awaitOptions)) as PipeAnswer | null;
    if (answer?.ok === true) return answer;
    throw pipeAnswerError(core.pluginId, answer);
  } finally {
    invocation.clock.stop();
    invocation.clock = undefined;
  }
}
