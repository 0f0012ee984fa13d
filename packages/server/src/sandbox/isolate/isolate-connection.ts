import type ivm from "isolated-vm";
import type { SluiceError } from "@sluice/sdk";
import { messageOf } from "../host/plugin-errors.ts";
import type { CallInfo, CallTiming, ChunkAnswer, PluginConnection, RuntimeCall, RuntimeNotice } from "../host/plugin-transport.ts";

/** The runtime's entry points the isolate tier uses (docs/internals/plugin-runtime.md §2), taken before the plugin ran. */
export const RUNTIME_ENTRY_NAMES = [
  "registerPlugin",
  "validateValves",
  "abortInvocation",
  "beginHook",
  "awaitHook",
  "awaitBackground",
  "awaitResult",
  "forgetResult",
  "startPipe",
  "pullPipes",
  "addPulls",
  "stopPipe",
  "openStreamSession",
  "streamChunks",
  "closeStreamSession",
] as const;

export type RuntimeEntries = Record<(typeof RUNTIME_ENTRY_NAMES)[number], ivm.Reference>;

/** What `streamChunk` answers while the hook's promise goes on (the runtime's PENDING). */
const PENDING = 0;
/** What `streamChunks` answers for a chunk it left for the next crossing (the runtime's NOT_RUN). */
const NOT_RUN = 1;
/** What a queued chunk resolves with when the host gave it up before it crossed. */
const DROPPED = Symbol("dropped");
/** The most chunks one crossing carries. */
const MAX_BATCH = 256;
/** The runtime's own time budget for one batch (ms): past it, it leaves the rest for the next crossing. */
const BATCH_BUDGET_MS = 20;

/** What isolated-vm's error says when its `timeout` stopped a task. */
export const IVM_TIMEOUT_MESSAGE = "Script execution timed out.";

/**
 * isolated-vm stopped a task at its time limit although the isolate used little CPU meanwhile: the
 * machine kept its thread waiting. The call fails with PLUGIN_TIMEOUT; the isolate is not disposed.
 */
export class StarvedTimeoutError extends Error {
  constructor(cause: unknown) {
    super("The plugin's task was stopped at its time limit while its thread waited for the CPU", { cause });
    this.name = "StarvedTimeoutError";
  }
}

/** A chunk's failure when its crossing was stopped while starved ({@link StarvedTimeoutError}). */
function starvedAnswer(error: StarvedTimeoutError, timeoutMs: number): ChunkAnswer {
  return { ok: false, error: { code: "PLUGIN_TIMEOUT", message: `${error.message} (${timeoutMs} ms)` } };
}

interface QueuedChunk {
  args: [sessionId: string, json: string, key: string];
  timeoutMs: number;
  resolve(answer: unknown): void;
  reject(error: unknown): void;
}

interface PendingPull {
  timeoutMs: number;
  resolve(answer: string): void;
  reject(error: unknown): void;
}

export interface IsolateConnectionOwner {
  /** False once the isolate is gone (its References are released). */
  isUsable(): boolean;
  /** CPU time the isolate has used so far, in milliseconds. */
  cpuTimeMs(): number;
  /** A task was stopped at its time limit while starved (see {@link StarvedTimeoutError}). */
  starved(): void;
  confirmTimeout(call: CallInfo): Promise<SluiceError | undefined>;
}

/**
 * The isolate's runtime entry points as a {@link PluginConnection}: every call is an asynchronous
 * `apply` (run on isolated-vm's threads), with isolated-vm's own `timeout` stopping synchronous
 * code that runs away. That `timeout` counts from when the isolate starts the task, so a call or
 * chunk tells the host its own time starts (`CallTiming`) only once its synchronous part has run:
 * a hook with `beginHook` then `awaitResult`, a chunk when it answers PENDING. Values cross as
 * JSON text or copies, never References. A disposed isolate's References throw; the transport's
 * `describeFailure` says what that means.
 */
export class IsolateConnection implements PluginConnection {
  /** The runtime in an isolate runs a chunk as soon as it is given: the host gives them one at a time. */
  readonly pipelinesChunks = false;
  readonly takesPayloadText = true;
  readonly #entries: RuntimeEntries;
  readonly #owner: IsolateConnectionOwner;
  /** Chunks of any session of this plugin waiting for the crossing in flight to end. */
  #queue: QueuedChunk[] = [];
  #isCrossing = false;
  #answered = 0;
  /** Pulls of streaming pipes asked for and not answered yet, by invocation id. */
  readonly #pulls = new Map<string, PendingPull>();
  /** Pulls not sent into the isolate yet (they go at the end of this turn, together). */
  #unsentPulls: string[] = [];
  #isPullFlushDue = false;
  /** A `pullPipes` crossing is waiting for answers: new pulls go with `addPulls`. */
  #isWaitingForPulls = false;

  constructor(entries: RuntimeEntries, owner: IsolateConnectionOwner) {
    this.#entries = entries;
    this.#owner = owner;
  }

  /**
   * How many calls into the isolate have come back so far: when this grows, the isolate is
   * working through its tasks (one at a time), not stuck in one.
   */
  get answeredCount(): number {
    return this.#answered;
  }

  async call(method: RuntimeCall, args: unknown[], timeoutMs: number, timing?: CallTiming): Promise<string> {
    // Pulls share crossings (`pullPipes`, `addPulls`): the runtime's own `pullPipe` is not called from here.
    if (method === "pullPipe") return this.#pull(args[0] as string, timeoutMs);
    const entry = this.#entries[method];
    switch (method) {
      case "awaitHook":
        if (timing) return this.#awaitHook(args, timeoutMs, timing);
        // String arguments: no copy options needed.
        return (await this.#apply(entry, args, { result: { promise: true } }, timeoutMs)) as string;
      case "awaitBackground":
        // One string argument: no copy options needed.
        return (await this.#apply(entry, args, { result: { promise: true } }, timeoutMs)) as string;
      case "startPipe":
        return (await this.#apply(entry, args, { arguments: { copy: true }, result: { promise: true } }, timeoutMs)) as string;
      case "validateValves":
      case "openStreamSession":
        // Synchronous entries answering a plain object: copied out, then handed on as JSON like the others.
        return JSON.stringify(await this.#apply(entry, args, { arguments: { copy: true }, result: { copy: true } }, timeoutMs));
    }
  }

  /**
   * The hook's synchronous part (`beginHook`, limited by isolated-vm), then its own time on the
   * host's clock. `awaitResult` is queued right behind `beginHook` (the isolate runs its tasks in
   * order), so waiting for the result costs no extra round trip; should it run first all the
   * same, it answers PENDING and is asked again.
   */
  async #awaitHook(args: unknown[], timeoutMs: number, timing: CallTiming): Promise<string> {
    const begun = this.#apply(this.#entries.beginHook, args, {}, timeoutMs);
    const result = this.#awaitResult(timing.key);
    result.catch(() => {}); // when beginHook fails, its failure is the one reported
    await begun;
    timing.started();
    const answer = await result;
    return (answer === PENDING ? await this.#awaitResult(timing.key) : answer) as string;
  }

  #awaitResult(key: string): Promise<unknown> {
    return this.#apply(this.#entries.awaitResult, [key], { arguments: { copy: true }, result: { promise: true, copy: true } });
  }

  /**
   * `reference.apply`, counted in {@link answeredCount}, with isolated-vm's `timeout` when given.
   * isolated-vm counts that timeout in wall-clock time from when the isolate starts the task: when
   * it stops a task while the isolate hardly used the CPU meanwhile (its thread waited for a core
   * on a crowded machine), the plugin did not run away, and the failure is a
   * {@link StarvedTimeoutError}, which keeps the isolate.
   */
  async #apply(reference: ivm.Reference, args: unknown[], options: ivm.ReferenceApplyOptions, timeoutMs?: number): Promise<unknown> {
    const cpuBefore = this.#owner.cpuTimeMs();
    try {
      return await reference.apply(undefined, args, timeoutMs === undefined ? options : { ...options, timeout: timeoutMs });
    } catch (error) {
      if (timeoutMs !== undefined && messageOf(error) === IVM_TIMEOUT_MESSAGE && this.#owner.cpuTimeMs() - cpuBefore < timeoutMs / 10) {
        this.#owner.starved();
        throw new StarvedTimeoutError(error);
      }
      throw error;
    } finally {
      this.#answered += 1;
    }
  }

  /**
   * The next chunk of a streaming pipe. Pulls of many responses share crossings: those asked for
   * in one turn go in together, one `pullPipes` crossing at a time waits for answers and brings
   * back every answer there is, and pulls asked for while it waits go in with `addPulls` (their
   * answers wake it). With one response streaming this is one crossing per chunk, as a `pullPipe`
   * of its own would be; with hundreds, each crossing carries many.
   */
  #pull(invocationId: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#pulls.set(invocationId, { timeoutMs, resolve, reject });
      this.#unsentPulls.push(invocationId);
      if (this.#isPullFlushDue) return;
      this.#isPullFlushDue = true;
      // Once this turn is over: the pulls of every response whose chunk came back in it go together.
      setImmediate(() => this.#flushPulls());
    });
  }

  #flushPulls(): void {
    this.#isPullFlushDue = false;
    if (this.#unsentPulls.length === 0) return;
    if (!this.#isWaitingForPulls) return void this.#waitForPulls();
    const invocationIds = this.#takeUnsentPulls();
    if (invocationIds.length === 0) return;
    try {
      // isolated-vm's timeout stops the pipes' synchronous part, as for the crossing that waits.
      this.#entries.addPulls.applyIgnored(undefined, [invocationIds], {
        arguments: { copy: true },
        timeout: this.#pullTimeoutMs(invocationIds),
      });
    } catch (error) {
      this.#failPulls(error);
    }
  }

  /** Crosses with the unsent pulls and waits for answers, again and again while pulls are open. */
  async #waitForPulls(): Promise<void> {
    this.#isWaitingForPulls = true;
    try {
      while (this.#pulls.size > 0) {
        const invocationIds = this.#takeUnsentPulls();
        const answers = (await this.#apply(
          this.#entries.pullPipes,
          [invocationIds],
          { arguments: { copy: true }, result: { promise: true, copy: true } },
          this.#pullTimeoutMs(invocationIds),
        )) as Array<[string, string]>;
        for (const [invocationId, answer] of answers) {
          const pull = this.#pulls.get(invocationId);
          this.#pulls.delete(invocationId);
          pull?.resolve(answer);
        }
      }
    } catch (error) {
      this.#failPulls(error);
    } finally {
      this.#isWaitingForPulls = false;
    }
  }

  /** The pulls waiting to be sent, less those whose stream was stopped meanwhile. */
  #takeUnsentPulls(): string[] {
    return this.#unsentPulls.splice(0).filter((invocationId) => this.#pulls.has(invocationId));
  }

  /** isolated-vm's limit for the pipes' synchronous part: the longest of theirs; none when no pull goes in. */
  #pullTimeoutMs(invocationIds: readonly string[]): number | undefined {
    if (invocationIds.length === 0) return undefined;
    return Math.max(...invocationIds.map((invocationId) => this.#pulls.get(invocationId)!.timeoutMs));
  }

  /** The isolate failed a pull crossing: every open pull fails with it (the transport says what it means). */
  #failPulls(error: unknown): void {
    const pulls = [...this.#pulls.values()];
    this.#pulls.clear();
    this.#unsentPulls = [];
    for (const pull of pulls) pull.reject(error);
  }

  notify(method: RuntimeNotice, args: unknown[]): void {
    if (!this.#owner.isUsable()) return;
    // A stopped stream's pull is not waited for any more (the runtime answers it, unread).
    if (method === "stopPipe") this.#pulls.delete(args[0] as string);
    // A chunk given up while still waiting here never crosses: the plugin does not run it late.
    if (method === "forgetResult" && this.#dropQueued(args[0])) return;
    try {
      this.#entries[method].applyIgnored(undefined, args, { arguments: { copy: true } });
    } catch {
      // The isolate went away meanwhile.
    }
  }

  async streamChunk(sessionId: string, sequence: number, json: string, timeoutMs: number, started?: () => void): Promise<ChunkAnswer> {
    const key = `${sessionId}:${sequence}`;
    const first = await new Promise((resolve, reject) => {
      this.#queue.push({ args: [sessionId, json, key], timeoutMs, resolve, reject });
      this.#scheduleCrossing();
    });
    if (first === DROPPED) return 0;
    if (first !== PENDING) return first as ChunkAnswer;
    // The hook returned a promise: its answer is held under the chunk's key (or 0 once forgotten),
    // and from now on the host's clock counts (until now, isolated-vm's timeout did).
    started?.();
    return (await this.#apply(this.#entries.awaitResult, [key], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
    })) as ChunkAnswer;
  }

  /**
   * Starts a crossing once this turn is over, unless one is under way: the chunks that responses
   * hand over in one turn (one crossing's answers reach many) then go together, rather than the
   * first alone and the rest behind it.
   */
  #scheduleCrossing(): void {
    if (this.#isCrossing) return;
    this.#isCrossing = true;
    setImmediate(() => void this.#cross());
  }

  /**
   * Carries the waiting chunks into the isolate in one crossing: one alone, or several (chunks of
   * other responses that came in the same turn or while a crossing was in flight), which costs
   * about what one chunk's does. Each session has one chunk here at most (the host hands a
   * session's next chunk over once the one before was answered), so order holds.
   */
  async #cross(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        const timeoutMs = Math.max(...batch.map((chunk) => chunk.timeoutMs));
        try {
          const answers = (await this.#apply(
            this.#entries.streamChunks,
            [batch.map((chunk) => chunk.args)],
            { arguments: { copy: true }, result: { copy: true } },
            // The runtime starts no chunk past its budget (always the first): a runaway hook is still stopped within its own limit.
            batch.length === 1 ? timeoutMs : BATCH_BUDGET_MS + timeoutMs,
          )) as unknown[];
          const notRun: QueuedChunk[] = [];
          for (const [index, chunk] of batch.entries()) {
            if (answers[index] === NOT_RUN) notRun.push(chunk);
            else chunk.resolve(answers[index]);
          }
          this.#queue.unshift(...notRun);
        } catch (error) {
          // Starved: these chunks fail alone (their sessions go on); anything else loses the isolate.
          const starved = error instanceof StarvedTimeoutError ? starvedAnswer(error, timeoutMs) : undefined;
          for (const chunk of batch) {
            if (starved) chunk.resolve(starved);
            else chunk.reject(error);
          }
        }
      }
    } finally {
      this.#isCrossing = false;
    }
  }

  /** Takes the chunk held under `key` out of the queue, if it is still there. */
  #dropQueued(key: unknown): boolean {
    const index = this.#queue.findIndex((chunk) => chunk.args[2] === key);
    if (index === -1) return false;
    const [dropped] = this.#queue.splice(index, 1);
    dropped!.resolve(DROPPED);
    return true;
  }

  confirmTimeout(call: CallInfo): Promise<SluiceError | undefined> {
    return this.#owner.confirmTimeout(call);
  }
}
