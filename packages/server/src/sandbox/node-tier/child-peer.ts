import type { ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import type { Logger } from "pino";
import { answeredWithin } from "../host/answered-within.ts";
import type { ChildToHost, HostToChild } from "./node-tier-protocol.ts";

/** Why the server ended a child (absent when the child ended on its own: a crash, `process.exit`). */
export type KillReason =
  | { kind: "timeout"; invocationId: string; hook: string; timeoutMs: number }
  | { kind: "load-timeout"; timeoutMs: number }
  | { kind: "disposed" };

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  reason?: KillReason;
  /** The child ran out of its memory limit (V8's heap limit, Python's MemoryError). */
  isOutOfMemory: boolean;
  /** The end of what the child wrote to stderr, for messages. */
  stderrTail: string;
}

/** A request was in flight when the child ended. */
export class ChildExitedError extends Error {
  readonly exit: ChildExit;
  constructor(exit: ChildExit) {
    super(`The plugin's process ended (${exit.signal ?? `exit code ${exit.code}`})`);
    this.exit = exit;
  }
}

export interface ChildPeerOptions<Message> {
  pluginId: string;
  logger: Logger;
  /** What the process tier is called in messages: "Node.js", "Python". */
  tierName: string;
  /** The event that says the process and its streams are done: "exit" (Node's IPC) or "close" (pipes read to the end). */
  endEvent: "exit" | "close";
  /** Writes one message to the child; does nothing once it cannot. */
  send(message: HostToChild): void;
  /** The message of a start that failed because the process could not be spawned at all; by default the general one. */
  spawnFailure?(error: Error): string;
  /** Whether the child ran out of memory, from its exit code and the end of its stderr. */
  isOutOfMemory(code: number | null, stderrTail: string): boolean;
  /** Messages that are not answers to requests: host capability calls, logs, waits, stream answers. */
  onMessage(message: Exclude<Message, { t: "ready" | "reply" }>): void;
}

const STDERR_TAIL_LENGTH = 4096;

/**
 * What both process tiers do with their child the same way, whatever carries the messages:
 * numbered requests answered in any order (every one still waiting rejects with a
 * {@link ChildExitedError} when the process ends), the wait for its runtime to be ready, a ping,
 * SIGKILL with the first reason given, and its stdout and stderr forwarded to the server log.
 */
export class ChildPeer<Message extends { t: string } = ChildToHost> {
  readonly exited: Promise<ChildExit>;
  readonly #process: ChildProcess;
  readonly #options: ChildPeerOptions<Message>;
  readonly #requests = new Map<number, { resolve(json: string): void; reject(error: Error): void }>();
  #lastRequestId = 0;
  #killReason: KillReason | undefined;
  #exit: ChildExit | undefined;
  #stderrTail = "";
  #spawnError: Error | undefined;
  #onReady: (() => void) | undefined;

  constructor(process: ChildProcess, options: ChildPeerOptions<Message>) {
    this.#process = process;
    this.#options = options;
    this.#forwardOutput();
    this.exited = new Promise((resolve) => {
      process.once(options.endEvent, (code: number | null, signal: NodeJS.Signals | null) => {
        this.#exit = {
          code,
          signal,
          reason: this.#killReason,
          isOutOfMemory: options.isOutOfMemory(code, this.#stderrTail),
          stderrTail: this.#spawnError ? this.#spawnError.message : this.#stderrTail,
        };
        for (const request of this.#requests.values()) request.reject(new ChildExitedError(this.#exit));
        this.#requests.clear();
        resolve(this.#exit);
      });
    });
    // A failed spawn also ends the process (or it never started): the error is in the exit.
    process.on("error", (error) => {
      this.#spawnError ??= error;
      options.logger.warn({ pluginId: options.pluginId, err: error }, `${options.tierName} plugin process error`);
    });
  }

  /** Waits until the child's runtime says it is ready; otherwise kills it and throws why, within `timeoutMs`. */
  async untilReady(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<"ready">((resolve) => (this.#onReady = () => resolve("ready")));
    const outcome = await Promise.race([
      ready,
      this.exited,
      new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === "ready") return;
    this.kill({ kind: "load-timeout", timeoutMs });
    if (this.#spawnError && this.#options.spawnFailure) throw new Error(this.#options.spawnFailure(this.#spawnError));
    const why =
      outcome === "timeout" ? `it did not start within ${timeoutMs} ms` : `it exited (${outcome.signal ?? `code ${outcome.code}`})`;
    const detail = lastLine(this.#spawnError?.message ?? this.#stderrTail);
    throw new Error(`Could not start the plugin's ${this.#options.tierName} process: ${why}${detail ? `: ${detail}` : ""}`);
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** True until the process has ended or been told to. */
  get isAlive(): boolean {
    return this.#exit === undefined && this.#killReason === undefined;
  }

  /** Whether the process has ended. */
  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  /** Sends a numbered request; resolves with the answer's JSON text, rejects when the child fails or ends. */
  request(message: (id: number) => HostToChild): Promise<string> {
    if (this.#exit) return Promise.reject(new ChildExitedError(this.#exit));
    const id = ++this.#lastRequestId;
    return new Promise((resolve, reject) => {
      this.#requests.set(id, { resolve, reject });
      this.#options.send(message(id));
    });
  }

  /** True when the child answers a no-op within `withinMs`: no plugin code holds its event loop. */
  async isResponsive(withinMs: number): Promise<boolean> {
    const ping = this.request((id) => ({ t: "call", id, method: "ping", args: [] }));
    // A failed ping (the process is gone) is no answer.
    return (
      (await answeredWithin(ping, withinMs)) &&
      (await ping.then(
        () => true,
        () => false,
      ))
    );
  }

  /** Ends the process at once (SIGKILL); the first reason given is the one reported. */
  kill(reason: KillReason): void {
    if (this.#exit) return;
    this.#killReason ??= reason;
    this.#process.kill("SIGKILL");
  }

  /** One message from the child: readiness, an answer, or anything else for `onMessage`. */
  receive(message: Message): void {
    if (typeof message !== "object" || message === null) return;
    if (message.t === "ready") {
      this.#onReady?.();
      return;
    }
    if (message.t === "reply") {
      const reply = message as unknown as { id: number; json?: unknown; error?: unknown };
      const request = this.#requests.get(reply.id);
      if (!request) return;
      this.#requests.delete(reply.id);
      if (typeof reply.json === "string") request.resolve(reply.json);
      else request.reject(new Error(typeof reply.error === "string" ? reply.error : "The plugin's process sent a malformed answer"));
      return;
    }
    this.#options.onMessage(message as Exclude<Message, { t: "ready" | "reply" }>);
  }

  /** The child's stdout and stderr go to the server log, line by line; the end of stderr is kept for messages. */
  #forwardOutput(): void {
    const { logger, pluginId } = this.#options;
    const forward = (stream: Readable | null, level: "info" | "warn", isStderr: boolean) => {
      let partial = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (text: string) => {
        if (isStderr) this.#stderrTail = (this.#stderrTail + text).slice(-STDERR_TAIL_LENGTH);
        const lines = (partial + text).split("\n");
        partial = lines.pop()!.slice(-STDERR_TAIL_LENGTH);
        for (const line of lines)
          if (line.trim() !== "") logger[level]({ pluginId, stream: isStderr ? "stderr" : "stdout" }, line.slice(0, 16_384));
      });
    };
    forward(this.#process.stdout, "info", false);
    forward(this.#process.stderr, "warn", true);
  }
}

/** The last non-empty line of `text`. */
export function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.trim() ?? "";
}
