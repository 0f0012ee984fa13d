import type ivm from "isolated-vm";
import type { SluiceError } from "@sluice/sdk";
import type { CallInfo, ChunkAnswer, PluginConnection, RuntimeCall, RuntimeNotice } from "../host/plugin-transport.ts";

/** The runtime's entry points the isolate tier uses (docs/internals/plugin-runtime.md §2), taken before the plugin ran. */
export const RUNTIME_ENTRY_NAMES = [
  "registerPlugin",
  "validateValves",
  "abortInvocation",
  "awaitHook",
  "awaitResult",
  "forgetResult",
  "startPipe",
  "pullPipe",
  "stopPipe",
  "openStreamSession",
  "streamChunk",
  "closeStreamSession",
] as const;

export type RuntimeEntries = Record<(typeof RUNTIME_ENTRY_NAMES)[number], ivm.Reference>;

/** What `streamChunk` answers while the hook's promise goes on (the runtime's PENDING). */
const PENDING = 0;

interface QueuedChunk {
  key: string;
  json: string;
  timeoutMs: number;
  resolve(answer: ChunkAnswer): void;
  reject(error: unknown): void;
}

/** A session's chunks: the runtime in an isolate runs what it is given at once, so they go one at a time. */
interface ChunkQueue {
  isRunning: boolean;
  waiting: QueuedChunk[];
}

export interface IsolateConnectionOwner {
  /** False once the isolate is gone (its References are released). */
  isUsable(): boolean;
  confirmTimeout(call: CallInfo): Promise<SluiceError | undefined>;
}

/**
 * The isolate's runtime entry points as a {@link PluginConnection}: every call is an asynchronous
 * `apply` (run on isolated-vm's threads), with isolated-vm's own `timeout` stopping synchronous
 * code that runs away. Values cross as JSON text or copies, never References.
 */
export class IsolateConnection implements PluginConnection {
  readonly #entries: RuntimeEntries;
  readonly #owner: IsolateConnectionOwner;
  readonly #sessions = new Map<string, ChunkQueue>();

  constructor(entries: RuntimeEntries, owner: IsolateConnectionOwner) {
    this.#entries = entries;
    this.#owner = owner;
  }

  call(method: RuntimeCall, args: unknown[], timeoutMs: number): Promise<string> {
    if (!this.#owner.isUsable()) return Promise.reject(new Error("The isolate is gone"));
    const entry = this.#entries[method];
    try {
      switch (method) {
        case "awaitHook":
          // One string argument: no copy options needed.
          return entry.apply(undefined, args, { result: { promise: true }, timeout: timeoutMs }) as Promise<string>;
        case "startPipe":
        case "pullPipe":
          return entry.apply(undefined, args, { arguments: { copy: true }, result: { promise: true }, timeout: timeoutMs }) as Promise<string>;
        case "validateValves":
        case "openStreamSession":
          // Synchronous entries answering a plain object: copied out, then handed on as JSON like the others.
          return entry.apply(undefined, args, { arguments: { copy: true }, result: { copy: true }, timeout: timeoutMs }).then((value) => JSON.stringify(value));
      }
    } catch (error) {
      return Promise.reject(error);
    }
  }

  notify(method: RuntimeNotice, args: unknown[]): void {
    if (method === "closeStreamSession") this.#sessions.delete(String(args[0]));
    if (!this.#owner.isUsable()) return;
    try {
      this.#entries[method].applyIgnored(undefined, args, { arguments: { copy: true } });
    } catch {
      // The isolate went away meanwhile.
    }
  }

  streamChunk(sessionId: string, sequence: number, json: string, timeoutMs: number): Promise<ChunkAnswer> {
    return new Promise((resolve, reject) => {
      let queue = this.#sessions.get(sessionId);
      if (!queue) {
        queue = { isRunning: false, waiting: [] };
        this.#sessions.set(sessionId, queue);
      }
      queue.waiting.push({ key: `${sessionId}:${sequence}`, json, timeoutMs, resolve, reject });
      if (!queue.isRunning) this.#runNext(sessionId, queue);
    });
  }

  confirmTimeout(call: CallInfo): Promise<SluiceError | undefined> {
    return this.#owner.confirmTimeout(call);
  }

  #runNext(sessionId: string, queue: ChunkQueue): void {
    const chunk = queue.waiting.shift();
    queue.isRunning = chunk !== undefined;
    if (!chunk) return;
    this.#runChunk(sessionId, chunk).then(
      (answer) => {
        chunk.resolve(answer);
        this.#runNext(sessionId, queue);
      },
      (error: unknown) => {
        chunk.reject(error);
        this.#runNext(sessionId, queue);
      },
    );
  }

  async #runChunk(sessionId: string, chunk: QueuedChunk): Promise<ChunkAnswer> {
    this.#assertUsable();
    const answer = await this.#entries.streamChunk.apply(undefined, [sessionId, chunk.json, chunk.key], {
      arguments: { copy: true },
      result: { copy: true },
      timeout: chunk.timeoutMs,
    });
    if (answer !== PENDING) return answer as ChunkAnswer;
    // The hook returned a promise: its answer is held under the chunk's key (or 0 once forgotten).
    return (await this.#entries.awaitResult.apply(undefined, [chunk.key], { arguments: { copy: true }, result: { promise: true, copy: true } })) as ChunkAnswer;
  }

  #assertUsable(): void {
    if (!this.#owner.isUsable()) throw new Error("The isolate is gone");
  }
}
