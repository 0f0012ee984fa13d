import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Logger } from "pino";
import type { ChildUser } from "./prepare-child-user.ts";
import type { ChildFetchSettings, ChildMethod, ChildSignal, ChildToHost, HostToChild } from "./node-tier-protocol.ts";

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
  /** V8 said the heap limit (`--max-old-space-size`) was reached. */
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

export interface NodeChildOptions {
  pluginId: string;
  /** The bundled child entry (see childScriptPath). */
  scriptPath: string;
  /** Node flags: see permissionFlags. */
  execArgv: string[];
  /** The plugin's own folder: the child's working directory. */
  folder: string;
  /** Another OS user to run as (the server must be root); see prepareChildUser. */
  user?: ChildUser;
  logger: Logger;
  /** Messages that are not answers to requests: host capability calls, logs, waits, stream answers. */
  onMessage(message: Exclude<ChildToHost, { t: "ready" | "reply" }>, child: NodeChild): void;
}

const STDERR_TAIL_LENGTH = 4096;
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit/;

/**
 * One trusted-tier child process: started with an empty environment and the given flags, it
 * talks over Node's IPC channel. Requests are answered in any order; when the process ends,
 * every request still waiting rejects with a {@link ChildExitedError}.
 */
export class NodeChild {
  readonly exited: Promise<ChildExit>;
  readonly #process: ChildProcess;
  readonly #options: NodeChildOptions;
  readonly #requests = new Map<number, { resolve(json: string): void; reject(error: Error): void }>();
  #lastRequestId = 0;
  #killReason: KillReason | undefined;
  #exit: ChildExit | undefined;
  #stderrTail = "";
  #onReady: (() => void) | undefined;

  private constructor(options: NodeChildOptions) {
    this.#options = options;
    const executable = options.user ? openExecutable() : undefined;
    try {
      this.#process = fork(options.scriptPath, [], {
        execArgv: options.execArgv,
        // Nothing of the server's environment (secrets, database URLs) reaches the plugin.
        env: {},
        cwd: options.folder,
        stdio: ["ignore", "pipe", "pipe", "ipc", ...(executable ? [executable.descriptor] : [])],
        serialization: "json",
        ...(options.user && { uid: options.user.uid, gid: options.user.gid }),
        ...(executable && { execPath: executable.path }),
      });
    } finally {
      if (executable) fs.closeSync(executable.descriptor);
    }
    this.#forwardOutput();
    this.exited = new Promise((resolve) => {
      this.#process.once("exit", (code, signal) => {
        this.#exit = {
          code,
          signal,
          reason: this.#killReason,
          isOutOfMemory: OUT_OF_MEMORY.test(this.#stderrTail),
          stderrTail: this.#stderrTail,
        };
        for (const request of this.#requests.values()) request.reject(new ChildExitedError(this.#exit));
        this.#requests.clear();
        resolve(this.#exit);
      });
    });
    // A failed spawn also emits "exit" (or never started): the error itself is in the exit.
    this.#process.on("error", (error) => options.logger.warn({ pluginId: options.pluginId, err: error }, "trusted-tier process error"));
    this.#process.on("message", (message: ChildToHost) => this.#receive(message));
  }

  /** Starts a child and waits until its runtime is ready (or throws, the child ended, within `timeoutMs`). */
  static async start(options: NodeChildOptions, timeoutMs: number): Promise<NodeChild> {
    const child = new NodeChild(options);
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<"ready">((resolve) => (child.#onReady = () => resolve("ready")));
    const outcome = await Promise.race([
      ready,
      child.exited,
      new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === "ready") return child;
    child.kill({ kind: "load-timeout", timeoutMs });
    const why =
      outcome === "timeout" ? `it did not start within ${timeoutMs} ms` : `it exited (${outcome.signal ?? `code ${outcome.code}`})`;
    const detail = lastLine(child.#stderrTail);
    throw new Error(`Could not start the plugin's Node.js process: ${why}${detail ? `: ${detail}` : ""}`);
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** True until the process has ended or been told to. */
  get isAlive(): boolean {
    return this.#exit === undefined && this.#killReason === undefined;
  }

  /** Loads the plugin's compiled code; resolves with the descriptor's JSON text. */
  load(pluginId: string, code: string, fetch: ChildFetchSettings): Promise<string> {
    return this.#request((id) => ({ t: "load", id, pluginId, code, fetch }));
  }

  /** Calls a runtime entry point; resolves with its JSON text, rejects when the child fails or ends. */
  request(method: ChildMethod, args: unknown[]): Promise<string> {
    return this.#request((id) => ({ t: "call", id, method, args }));
  }

  signal(method: ChildSignal, args: unknown[]): void {
    this.#send({ t: "signal", method, args });
  }

  sendChunks(items: Array<[string, number, string]>): void {
    this.#send({ t: "chunks", items });
  }

  replyToHostCall(id: number, json: string): void {
    this.#send({ t: "host-reply", id, json });
  }

  /** True when the child answers a no-op within `withinMs`: its event loop is not stuck. */
  async isResponsive(withinMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      this.request("ping", []).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), withinMs))),
    ]);
    clearTimeout(timer);
    return answered;
  }

  /** Ends the process at once (SIGKILL); the first reason given is the one reported. */
  kill(reason: KillReason): void {
    if (this.#exit) return;
    this.#killReason ??= reason;
    this.#process.kill("SIGKILL");
  }

  #request(message: (id: number) => HostToChild): Promise<string> {
    if (this.#exit) return Promise.reject(new ChildExitedError(this.#exit));
    const id = ++this.#lastRequestId;
    return new Promise((resolve, reject) => {
      this.#requests.set(id, { resolve, reject });
      this.#send(message(id));
    });
  }

  #send(message: HostToChild): void {
    if (this.#exit || !this.#process.connected) return;
    try {
      this.#process.send(message);
    } catch (error) {
      this.#options.logger.warn({ pluginId: this.#options.pluginId, err: error }, "could not send to the trusted-tier process");
    }
  }

  #receive(message: ChildToHost): void {
    if (typeof message !== "object" || message === null) return;
    if (message.t === "ready") {
      this.#onReady?.();
      return;
    }
    if (message.t === "reply") {
      const request = this.#requests.get(message.id);
      if (!request) return;
      this.#requests.delete(message.id);
      if (typeof message.json === "string") request.resolve(message.json);
      else request.reject(new Error(typeof message.error === "string" ? message.error : "The plugin's process sent a malformed answer"));
      return;
    }
    this.#options.onMessage(message, this);
  }

  /** The child's stdout and stderr (a plugin's console) go to the server log, line by line. */
  #forwardOutput(): void {
    const { logger, pluginId } = this.#options;
    const forward = (stream: NodeJS.ReadableStream | null, level: "info" | "warn", isStderr: boolean) => {
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

// Node's binary may sit where the other user cannot pass (under /root): on Linux the child runs
// it through a descriptor the server opened (fd 4 in the child, after stdin, stdout, stderr, IPC).
function openExecutable(): { descriptor: number; path: string } | undefined {
  if (!fs.existsSync("/proc/self/fd")) return undefined;
  return { descriptor: fs.openSync(process.execPath, "r"), path: "/proc/self/fd/4" };
}

/** The last non-empty line of `text`. */
export function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.trim() ?? "";
}
