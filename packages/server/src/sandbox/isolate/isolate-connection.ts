import type ivm from "isolated-vm";
import type { SluiceError } from "@sluice/sdk";
import type { CallInfo, ChunkAnswer, PluginConnection, RuntimeCall, RuntimeNotice } from "../host/plugin-transport.ts";

/** The runtime's entry points the isolate tier uses (docs/internals/plugin-runtime.md §2), taken before the plugin ran. */
export const RUNTIME_ENTRY_NAMES = [
  "registerPlugin",
  "validateValves",
  "abortInvocation",
  "awaitHook",
  "awaitBackground",
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

export interface IsolateConnectionOwner {
  /** False once the isolate is gone (its References are released). */
  isUsable(): boolean;
  confirmTimeout(call: CallInfo): Promise<SluiceError | undefined>;
}

/**
 * The isolate's runtime entry points as a {@link PluginConnection}: every call is an asynchronous
 * `apply` (run on isolated-vm's threads), with isolated-vm's own `timeout` stopping synchronous
 * code that runs away. Values cross as JSON text or copies, never References. A disposed
 * isolate's References throw; the transport's `describeFailure` says what that means.
 */
export class IsolateConnection implements PluginConnection {
  /** The runtime in an isolate runs a chunk as soon as it is given: the host gives them one at a time. */
  readonly pipelinesChunks = false;
  readonly #entries: RuntimeEntries;
  readonly #owner: IsolateConnectionOwner;

  constructor(entries: RuntimeEntries, owner: IsolateConnectionOwner) {
    this.#entries = entries;
    this.#owner = owner;
  }

  call(method: RuntimeCall, args: unknown[], timeoutMs: number): Promise<string> {
    const entry = this.#entries[method];
    try {
      switch (method) {
        case "awaitHook":
        case "awaitBackground":
          // One string argument: no copy options needed.
          return entry.apply(undefined, args, { result: { promise: true }, timeout: timeoutMs }) as Promise<string>;
        case "startPipe":
        case "pullPipe":
          return entry.apply(undefined, args, {
            arguments: { copy: true },
            result: { promise: true },
            timeout: timeoutMs,
          }) as Promise<string>;
        case "validateValves":
        case "openStreamSession":
          // Synchronous entries answering a plain object: copied out, then handed on as JSON like the others.
          return entry
            .apply(undefined, args, { arguments: { copy: true }, result: { copy: true }, timeout: timeoutMs })
            .then((value) => JSON.stringify(value));
      }
    } catch (error) {
      return Promise.reject(error);
    }
  }

  notify(method: RuntimeNotice, args: unknown[]): void {
    if (!this.#owner.isUsable()) return;
    try {
      this.#entries[method].applyIgnored(undefined, args, { arguments: { copy: true } });
    } catch {
      // The isolate went away meanwhile.
    }
  }

  async streamChunk(sessionId: string, sequence: number, json: string, timeoutMs: number): Promise<ChunkAnswer> {
    const key = `${sessionId}:${sequence}`;
    const first = await this.#entries.streamChunk.apply(undefined, [sessionId, json, key], {
      arguments: { copy: true },
      result: { copy: true },
      timeout: timeoutMs,
    });
    if (first !== PENDING) return first as ChunkAnswer;
    // The hook returned a promise: its answer is held under the chunk's key (or 0 once forgotten).
    return (await this.#entries.awaitResult.apply(undefined, [key], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
    })) as ChunkAnswer;
  }

  confirmTimeout(call: CallInfo): Promise<SluiceError | undefined> {
    return this.#owner.confirmTimeout(call);
  }
}
