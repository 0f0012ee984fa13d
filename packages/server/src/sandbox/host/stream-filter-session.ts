import { SluiceError } from "@sluice/sdk";
import type { InvokeRequest, PluginDescriptor } from "@sluice/sdk/runtime";
import type { InvocationHandlers } from "../invocation-handlers.ts";
import { awaitCall, parseRuntimeJson } from "./await-call.ts";
import type { HostCalls, Invocation } from "./host-calls.ts";
import { InvocationClock } from "./invocation-clock.ts";
import { parsePluginJson } from "./parse-plugin-json.ts";
import { clockError, malformedResultError, runtimeError } from "./plugin-errors.ts";
import type { ChunkAnswer, PluginConnection } from "./plugin-transport.ts";

/** What a stream filter session needs: the context of the response, as for `invoke`. */
export interface StreamFilterRequest {
  context: InvokeRequest["context"];
}

/**
 * What `transform` gives back: the chunk to send on (the hook's replacement, or the chunk as the
 * hook left it when it returned nothing), `null` when the hook dropped it, or a `SluiceError`
 * when the hook failed on it (a throw, a chunk timeout, a broken sandbox): log it and drop the chunk.
 */
export type StreamFilterOutput = unknown;

/**
 * A filter's `stream` hook bound to one response (see `PluginHost.openStreamFilter`). Chunks go
 * through in order.
 */
export interface StreamFilterSession {
  /**
   * Runs the hook on one chunk. Never throws or rejects. Answers at once (without a promise) only
   * when no plugin code needs to run: a filter without a stream hook, a closed or failed session.
   */
  transform(chunk: unknown): StreamFilterOutput | Promise<StreamFilterOutput>;
  /** Ends the session: the hook's `ctx.signal` aborts, chunks still waiting fail, and the plugin may be disposed. */
  close(): void;
}

interface PendingChunk {
  sequence: number;
  chunk: unknown;
  json: string;
  /** The transport said the chunk's own time starts (see `CallTiming`). */
  isStarted?: boolean;
  resolve(output: StreamFilterOutput): void;
}

const HOOK = "stream";
const PASS_THROUGH: StreamFilterSession = { transform: (chunk) => chunk, close: () => {} };

/** `PluginHost.openStreamFilter`: see there. */
export function openStreamFilter(
  calls: HostCalls,
  descriptor: PluginDescriptor | undefined,
  request: StreamFilterRequest,
  handlers: InvocationHandlers,
): StreamFilterSession {
  // A filter without a stream hook passes chunks on unchanged: nothing crosses at all.
  if (descriptor?.kind === "filter" && !descriptor.hooks.includes("stream")) return PASS_THROUGH;
  let connection: PluginConnection | Promise<PluginConnection>;
  try {
    connection = calls.connect(HOOK);
  } catch (error) {
    const failure = calls.callError(error, { id: "", hook: HOOK, timeoutMs: calls.streamTimeoutMs });
    return { transform: () => failure, close: () => {} };
  }
  const session = new StreamFilterConnection(calls, connection, request, handlers);
  return descriptor?.streamTextOnly ? textOnly(session) : session;
}

/** A chunk's text (`choices[0].delta.content`), when it has some. */
function textOf(chunk: unknown): string | undefined {
  const content = (chunk as { choices?: Array<{ delta?: { content?: unknown } }> } | null)?.choices?.[0]?.delta?.content;
  return typeof content === "string" && content !== "" ? content : undefined;
}

/**
 * The session of a filter that declared `streamTextOnly`: only each chunk's text crosses (as
 * `{ choices: [{ index: 0, delta: { content } }] }`), the text the hook leaves replaces it in the
 * whole chunk, and a chunk without text does not cross at all.
 */
function textOnly(session: StreamFilterSession): StreamFilterSession {
  return {
    transform(chunk) {
      const text = textOf(chunk);
      if (text === undefined) return chunk;
      const merge = (output: StreamFilterOutput): StreamFilterOutput => {
        if (output === null || SluiceError.isInstance(output)) return output;
        const event = chunk as { choices: Array<{ delta: Record<string, unknown> }> };
        const [first, ...rest] = event.choices;
        return { ...event, choices: [{ ...first, delta: { ...first!.delta, content: textOf(output) ?? "" } }, ...rest] };
      };
      const output = session.transform({ choices: [{ index: 0, delta: { content: text } }] });
      return output instanceof Promise ? output.then(merge) : merge(output);
    },
    close: () => session.close(),
  };
}

/**
 * The session over a transport. Chunks are handed to the transport as they come when it pipelines
 * them, else one at a time; each chunk's time limit (`streamTimeoutMs`) runs from when it is the
 * oldest unanswered one handed over and the transport said its own time started (`CallTiming`),
 * so a chunk is not charged for the time earlier chunks took, nor (on the isolated tier) for the
 * time it waited for other responses' chunks; a backstop of ten times the limit runs from when it
 * is the oldest.
 */
class StreamFilterConnection implements StreamFilterSession {
  readonly #calls: HostCalls;
  readonly #invocation: Invocation;
  #connection: PluginConnection | undefined;
  /** Chunks handed to the transport and not answered yet, oldest first. */
  readonly #pending = new Map<number, PendingChunk>();
  /** Chunks waiting to be handed over: the session is opening, or the transport takes one at a time. */
  #unsent: PendingChunk[] = [];
  #head: { sequence: number; clock: InvocationClock } | undefined;
  #failure: SluiceError | undefined;
  #isOpen = false;
  #isPassThrough = false;
  #isClosed = false;
  #sequence = 0;

  constructor(
    calls: HostCalls,
    connection: PluginConnection | Promise<PluginConnection>,
    request: StreamFilterRequest,
    handlers: InvocationHandlers,
  ) {
    this.#calls = calls;
    // Registered at once: the plugin counts as in use (never disposed when idle) from now on.
    this.#invocation = calls.begin(handlers, HOOK, calls.timeoutMs);
    // Opened now, asynchronously: the first chunk usually comes later than this takes.
    void this.#open(connection, request);
  }

  async #open(connecting: PluginConnection | Promise<PluginConnection>, request: StreamFilterRequest): Promise<void> {
    const calls = this.#calls;
    const invocation = this.#invocation;
    // The session opens within the hook call limit; then each chunk has the stream limit.
    invocation.clock = new InvocationClock(calls.timeoutMs);
    try {
      const connection = await connecting;
      // Kept even if opening fails: a session the plugin opened late is still closed with the response.
      this.#connection = connection;
      const work = connection.call(
        "openStreamSession",
        [{ invocationId: invocation.id, hook: HOOK, payload: null, context: request.context }],
        calls.timeoutMs,
      );
      const answer = parseRuntimeJson(calls.pluginId, HOOK, await awaitCall(calls, invocation, connection, work)) as {
        ok?: unknown;
        passThrough?: unknown;
        error?: unknown;
      } | null;
      if (answer?.ok !== true) throw runtimeError(answer?.error, this.#details());
      this.#isPassThrough = answer.passThrough === true;
    } catch (error) {
      this.#failure = calls.callError(error, invocation);
    } finally {
      invocation.clock?.stop();
      invocation.clock = undefined;
      invocation.timeoutMs = calls.streamTimeoutMs;
    }
    this.#isOpen = true;
    if (this.#isClosed) return this.#finish();
    this.#sendUnsent();
  }

  transform(chunk: unknown): StreamFilterOutput | Promise<StreamFilterOutput> {
    if (this.#isClosed) return this.#closedError();
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
      if (this.#isOpen && this.#unsent.length === 0 && (this.#pending.size === 0 || this.#connection?.pipelinesChunks))
        this.#dispatch(pending);
      else this.#unsent.push(pending);
    });
  }

  /** Hands over the chunks waiting, as many as the transport takes now. */
  #sendUnsent(): void {
    while (this.#unsent.length > 0 && (this.#pending.size === 0 || this.#failure || this.#connection?.pipelinesChunks)) {
      this.#dispatch(this.#unsent.shift()!);
    }
  }

  #dispatch(pending: PendingChunk): void {
    if (this.#isPassThrough) return pending.resolve(pending.chunk);
    const connection = this.#connection;
    if (this.#failure || !connection) return pending.resolve(this.#failure ?? runtimeError(undefined, this.#details()));
    const { sequence } = pending;
    this.#pending.set(sequence, pending);
    const started = (): void => {
      pending.isStarted = true;
      if (this.#head?.sequence === sequence) this.#head.clock.start();
    };
    connection.streamChunk(this.#invocation.id, sequence, pending.json, this.#calls.streamTimeoutMs, started).then(
      (answer) => this.#answer(sequence, answer),
      (error: unknown) => this.#lose(sequence, error),
    );
    this.#startHead();
  }

  /** Starts the time limit of the oldest unanswered chunk. */
  #startHead(): void {
    if (this.#head) return;
    const oldest = this.#pending.values().next();
    if (oldest.done) return;
    const { sequence, isStarted } = oldest.value;
    const clock = new InvocationClock(this.#calls.streamTimeoutMs, { started: isStarted === true });
    this.#head = { sequence, clock };
    // The host's capabilities stop this clock while the hook waits for them.
    this.#invocation.clock = clock;
    void clock.expired.then(() => this.#headTimedOut(sequence));
  }

  #stopHead(): void {
    this.#head?.clock.stop();
    this.#head = undefined;
    this.#invocation.clock = undefined;
  }

  /** Takes an unanswered chunk off the list (undefined when it was given up already). */
  #take(sequence: number): PendingChunk | undefined {
    const pending = this.#pending.get(sequence);
    if (!pending) return undefined;
    this.#pending.delete(sequence);
    if (this.#head?.sequence === sequence) this.#stopHead();
    return pending;
  }

  #answer(sequence: number, answer: ChunkAnswer): void {
    const pending = this.#take(sequence);
    if (!pending) return;
    pending.resolve(this.#decode(answer, pending));
    this.#next();
  }

  /** A chunk was answered or given up: the next one may go, and the oldest one handed over is timed. */
  #next(): void {
    this.#sendUnsent();
    this.#startHead();
  }

  /** The transport failed (the plugin is gone): this chunk, and every later one, fails with why. */
  #lose(sequence: number, error: unknown): void {
    const failure = this.#calls.callError(error, this.#invocation);
    this.#failure ??= failure;
    this.#take(sequence)?.resolve(failure);
    this.#next();
  }

  async #headTimedOut(sequence: number): Promise<void> {
    const connection = this.#connection;
    if (this.#head?.sequence !== sequence || !connection) return;
    const { clock } = this.#head;
    const failure = await connection.confirmTimeout(this.#invocation);
    const pending = this.#take(sequence);
    if (!pending) return; // answered meanwhile, or the plugin was lost
    // The plugin is responsive: the hook waits on a promise; the later chunks may go on.
    connection.notify("forgetResult", [`${this.#invocation.id}:${sequence}`]);
    pending.resolve(failure ?? clockError(this.#details(), this.#invocation.timeoutMs, clock));
    this.#next();
  }

  #decode(answer: ChunkAnswer, pending: PendingChunk): StreamFilterOutput {
    if (answer === null) return null;
    if (typeof answer === "string") {
      if (answer === pending.json) return pending.chunk; // unchanged: no need to parse it again
      try {
        return parsePluginJson(answer);
      } catch {
        // Reported below.
      }
    } else if (typeof answer === "object" && answer.ok === false) {
      return runtimeError(answer.error, this.#details());
    }
    return malformedResultError(this.#details());
  }

  #details(): { pluginId: string; hook: string } {
    return { pluginId: this.#calls.pluginId, hook: HOOK };
  }

  #closedError(): SluiceError {
    return new SluiceError("PLUGIN_ERROR", `The stream session of plugin "${this.#calls.pluginId}" is closed`, this.#details());
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.#isOpen) this.#finish();
  }

  #finish(): void {
    this.#stopHead();
    const closed = this.#closedError();
    for (const pending of [...this.#pending.values(), ...this.#unsent]) pending.resolve(closed);
    this.#pending.clear();
    this.#unsent = [];
    this.#connection?.notify("closeStreamSession", [this.#invocation.id]);
    this.#calls.end(this.#invocation);
  }
}
