import { SluiceError } from "@sluice/sdk";
import { runtimeError } from "../host/plugin-errors.ts";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { InvocationClock } from "../host/invocation-clock.ts";
import type { InvocationHandlers } from "../invocation-handlers.ts";
import type { StreamHookOutput, StreamHookRequest, StreamHookSession } from "../stream-hook.ts";
import { ChildExitedError, type ChildExit, type NodeChild } from "./node-child.ts";
import type { NodeCore, NodeInvocation } from "./node-core.ts";
import { parseChildJson, type ChunkAnswer } from "./node-tier-protocol.ts";

const HOOK = "stream";
const PASS_THROUGH: StreamHookSession = { transform: (chunk) => chunk, close: () => {} };

interface PendingChunk {
  sequence: number;
  chunk: unknown;
  json: string;
  resolve(output: StreamHookOutput): void;
}

/** `NodePluginSandbox.openStreamHook`: see there. */
export function openNodeStreamHook(core: NodeCore, descriptor: PluginDescriptor | undefined, request: StreamHookRequest, handlers: InvocationHandlers): StreamHookSession {
  if (descriptor?.kind === "filter" && !descriptor.hooks.includes("stream")) return PASS_THROUGH;
  return new NodeStreamHookSession(core, request, handlers);
}

/**
 * A filter's `stream` hook bound to one response, in the plugin's process. Chunks are pipelined:
 * `transform` sends its chunk at once (those sent in one turn travel in one message) and resolves
 * when the process answers; the process runs them in order. Each chunk's time limit
 * (`streamTimeoutMs`) starts when it is the oldest unanswered one.
 */
class NodeStreamHookSession implements StreamHookSession {
  readonly #core: NodeCore;
  readonly #handlers: InvocationHandlers;
  #invocation: NodeInvocation | undefined;
  #child: NodeChild | undefined;
  /** Unanswered chunks, oldest first. */
  readonly #pending = new Map<number, PendingChunk>();
  /** Chunks given before the session was open in the process. */
  #unsent: PendingChunk[] = [];
  #outbox: Array<[string, number, string]> = [];
  #head: { sequence: number; clock: InvocationClock } | undefined;
  #failure: SluiceError | undefined;
  #isOpen = false;
  #isPassThrough = false;
  #isClosed = false;
  #sequence = 0;

  constructor(core: NodeCore, request: StreamHookRequest, handlers: InvocationHandlers) {
    this.#core = core;
    this.#handlers = handlers;
    void this.#open(request);
  }

  async #open(request: StreamHookRequest): Promise<void> {
    const core = this.#core;
    let invocation: NodeInvocation | undefined;
    try {
      const child = await core.connect(HOOK);
      // The session opens within the hook call limit; then each chunk has the stream limit.
      invocation = core.begin(this.#handlers, HOOK, core.timeoutMs, child);
      this.#invocation = invocation;
      invocation.onChunkAnswer = (sequence, answer) => this.#answer(sequence, answer);
      invocation.onChildExit = (exit) => this.#lost(exit);
      invocation.clock = new InvocationClock(core.timeoutMs);
      const work = child.request("openStreamSession", [{ invocationId: invocation.id, hook: HOOK, payload: null, context: request.context }]);
      const answer = parseChildJson(await core.awaitCall(invocation, work)) as { ok?: unknown; passThrough?: unknown; error?: unknown };
      if (answer?.ok !== true) throw this.#runtimeError(answer?.error);
      this.#isPassThrough = answer.passThrough === true;
      this.#child = child;
    } catch (error) {
      this.#failure = SluiceError.isInstance(error) ? error : invocation ? core.callError(error, invocation) : this.#runtimeError(undefined);
    } finally {
      invocation?.clock?.stop();
      if (invocation) {
        invocation.clock = undefined;
        invocation.timeoutMs = core.streamTimeoutMs;
      }
    }
    this.#isOpen = true;
    if (this.#isClosed) return this.#finish();
    const unsent = this.#unsent;
    this.#unsent = [];
    for (const pending of unsent) this.#dispatch(pending);
  }

  transform(chunk: unknown): StreamHookOutput | Promise<StreamHookOutput> {
    if (this.#isClosed) return new SluiceError("PLUGIN_ERROR", `The stream session of plugin "${this.#core.pluginId}" is closed`, this.#details());
    if (this.#isOpen && this.#isPassThrough) return chunk;
    if (this.#isOpen && this.#failure) return this.#failure;
    let json: string;
    try {
      json = JSON.stringify(chunk);
    } catch (error) {
      return new SluiceError("INVALID_INPUT", `A stream chunk is not JSON: ${(error as Error).message}`, this.#details());
    }
    return new Promise((resolve) => {
      const pending: PendingChunk = { sequence: ++this.#sequence, chunk, json, resolve };
      if (this.#isOpen) this.#dispatch(pending);
      else this.#unsent.push(pending);
    });
  }

  #dispatch(pending: PendingChunk): void {
    if (this.#isPassThrough) return pending.resolve(pending.chunk);
    if (this.#failure || !this.#child || !this.#invocation) return pending.resolve(this.#failure ?? this.#runtimeError(undefined));
    this.#pending.set(pending.sequence, pending);
    if (this.#outbox.length === 0) queueMicrotask(() => this.#flush());
    this.#outbox.push([this.#invocation.id, pending.sequence, pending.json]);
    this.#startHead();
  }

  #flush(): void {
    if (this.#outbox.length === 0) return;
    const items = this.#outbox;
    this.#outbox = [];
    this.#child?.sendChunks(items);
  }

  /** Starts the time limit of the oldest unanswered chunk. */
  #startHead(): void {
    if (this.#head || !this.#invocation) return;
    const oldest = this.#pending.values().next();
    if (oldest.done) return;
    const clock = new InvocationClock(this.#core.streamTimeoutMs);
    this.#head = { sequence: oldest.value.sequence, clock };
    this.#invocation.clock = clock;
    void clock.expired.then(() => this.#headTimedOut(oldest.value.sequence));
  }

  #answer(sequence: number, answer: ChunkAnswer): void {
    const pending = this.#pending.get(sequence);
    if (!pending) return; // given up already
    this.#pending.delete(sequence);
    if (this.#head?.sequence === sequence) this.#stopHead();
    pending.resolve(this.#decode(answer, pending));
    this.#startHead();
  }

  #stopHead(): void {
    this.#head?.clock.stop();
    this.#head = undefined;
    if (this.#invocation) this.#invocation.clock = undefined;
  }

  async #headTimedOut(sequence: number): Promise<void> {
    const invocation = this.#invocation;
    if (this.#head?.sequence !== sequence || !invocation) return;
    const failure = await this.#core.timedOut(invocation);
    const pending = this.#pending.get(sequence);
    if (!pending) return; // the process was killed: #lost answered it
    // The process is responsive: the hook waits on a promise; the later chunks may go on.
    this.#child?.signal("forgetResult", [`${invocation.id}:${sequence}`]);
    this.#pending.delete(sequence);
    if (this.#head?.sequence === sequence) this.#stopHead();
    pending.resolve(failure);
    this.#startHead();
  }

  /** The process ended: every chunk waiting, and every later one, fails with why. */
  #lost(exit: ChildExit): void {
    this.#stopHead();
    this.#child = undefined;
    const failure = this.#core.callError(new ChildExitedError(exit), this.#invocation!);
    this.#failure ??= failure;
    for (const pending of this.#pending.values()) pending.resolve(failure);
    this.#pending.clear();
  }

  #decode(answer: ChunkAnswer, pending: PendingChunk): StreamHookOutput {
    if (answer === null) return null;
    if (typeof answer === "string") {
      if (answer === pending.json) return pending.chunk; // unchanged: no need to parse it again
      try {
        return parseChildJson(answer);
      } catch {
        // Reported below.
      }
    } else if (typeof answer === "object" && answer.ok === false) {
      return this.#runtimeError(answer.error);
    }
    return new SluiceError("PLUGIN_ERROR", `Plugin "${this.#core.pluginId}" returned a malformed result from ${HOOK}`, this.#details());
  }

  #runtimeError(raw: unknown): SluiceError {
    return runtimeError(raw, this.#details());
  }

  #details(): { pluginId: string; hook: string } {
    return { pluginId: this.#core.pluginId, hook: HOOK };
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.#isOpen) this.#finish();
  }

  #finish(): void {
    this.#flush();
    this.#stopHead();
    const closed = new SluiceError("PLUGIN_ERROR", `The stream session of plugin "${this.#core.pluginId}" is closed`, this.#details());
    for (const pending of [...this.#pending.values(), ...this.#unsent]) pending.resolve(closed);
    this.#pending.clear();
    this.#unsent = [];
    if (this.#invocation) {
      this.#child?.signal("closeStreamSession", [this.#invocation.id]);
      this.#core.end(this.#invocation);
    }
  }
}
