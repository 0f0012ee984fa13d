import type { Logger } from "pino";
import type { SluiceError } from "@sluice/sdk";
import type { CallInfo, CallTiming, ChunkAnswer, PluginConnection, RuntimeCall, RuntimeNotice } from "../host/plugin-transport.ts";
import { ChildExitedError, type ChildExit, type KillReason } from "./node-child.ts";

/**
 * A plugin's child process as a {@link ChildConnection} uses it: a Node.js child (`NodeChild`) or a
 * Python one (`PythonChild`, sandbox/python-tier/), which speak the same messages.
 */
export interface PluginChild {
  readonly isAlive: boolean;
  request(method: RuntimeCall | "ping", args: unknown[]): Promise<string>;
  signal(method: RuntimeNotice, args: unknown[]): void;
  sendChunks(items: Array<[string, number, string]>): void;
  isResponsive(withinMs: number): Promise<boolean>;
  kill(reason: KillReason): void;
}

// How long a process may take to answer a no-op before a call that ran out of time counts as stuck.
const RESPONSIVE_PROBE_MS = 100;

/**
 * One child process (trusted tier or Python tier) as a {@link PluginConnection}. Calls are IPC requests answered
 * with JSON text. Stream chunks are pipelined: each is queued at once, the chunks queued in one
 * turn travel in one message, and the child runs each session's chunks in order and answers them
 * in batches (an awaited round trip per chunk would cost ~90 µs, pipelined ~10 µs).
 */
export class ChildConnection<Child extends PluginChild = PluginChild> implements PluginConnection {
  /** The child runs each session's chunks in order itself (child-main.ts `queueChunk`). */
  readonly pipelinesChunks = true;
  readonly child: Child;
  readonly #logger: Logger;
  readonly #pluginId: string;
  /** Chunks sent and not answered yet, by `${sessionId}:${sequence}`. */
  readonly #chunks = new Map<string, { resolve(answer: ChunkAnswer): void; reject(error: unknown): void }>();
  #outbox: Array<[string, number, string]> = [];
  #exit: ChildExit | undefined;

  constructor(child: Child, pluginId: string, logger: Logger) {
    this.child = child;
    this.#pluginId = pluginId;
    this.#logger = logger;
  }

  call(method: RuntimeCall, args: unknown[], _timeoutMs?: number, timing?: CallTiming): Promise<string> {
    // Nothing stops synchronous code in the child by itself: the host's clock runs from now.
    timing?.started();
    this.#flush();
    return this.child.request(method, args);
  }

  notify(method: RuntimeNotice, args: unknown[]): void {
    // After the chunks queued before it: a session is closed only once its chunks went out.
    this.#flush();
    this.child.signal(method, args);
  }

  streamChunk(sessionId: string, sequence: number, json: string, _timeoutMs?: number, started?: () => void): Promise<ChunkAnswer> {
    started?.();
    if (this.#exit) return Promise.reject(new ChildExitedError(this.#exit));
    return new Promise((resolve, reject) => {
      this.#chunks.set(`${sessionId}:${sequence}`, { resolve, reject });
      if (this.#outbox.length === 0) queueMicrotask(() => this.#flush());
      this.#outbox.push([sessionId, sequence, json]);
    });
  }

  /** The process answered chunks: `[session id, sequence, answer]`, in order. */
  answerChunks(items: Array<[string, number, ChunkAnswer]>): void {
    for (const [sessionId, sequence, answer] of items) {
      const key = `${sessionId}:${sequence}`;
      const chunk = this.#chunks.get(key);
      this.#chunks.delete(key);
      chunk?.resolve(answer);
    }
  }

  /** The process ended: every chunk waiting, and every later one, fails with why. */
  lose(exit: ChildExit): void {
    this.#exit = exit;
    const error = new ChildExitedError(exit);
    for (const chunk of this.#chunks.values()) chunk.reject(error);
    this.#chunks.clear();
  }

  async confirmTimeout(call: CallInfo): Promise<SluiceError | undefined> {
    if (!this.child.isAlive || (await this.child.isResponsive(RESPONSIVE_PROBE_MS))) return undefined;
    this.#logger.warn({ pluginId: this.#pluginId, hook: call.hook }, "plugin kept running past its time limit; killing its process");
    this.child.kill({ kind: "timeout", invocationId: call.id, hook: call.hook, timeoutMs: call.timeoutMs });
    return undefined;
  }

  #flush(): void {
    if (this.#outbox.length === 0) return;
    const items = this.#outbox;
    this.#outbox = [];
    this.child.sendChunks(items);
  }
}
