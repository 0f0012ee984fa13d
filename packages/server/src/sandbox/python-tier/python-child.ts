import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import type { PluginChild } from "../node-tier/child-connection.ts";
import { ChildExitedError, type ChildExit, type KillReason } from "../node-tier/node-child.ts";
import type { ChildMethod, ChildSignal, ChildToHost, HostToChild } from "../node-tier/node-tier-protocol.ts";
import type { ChildUser } from "../node-tier/prepare-child-user.ts";
import type { PythonLaunch } from "./python-launch.ts";

export interface PythonChildOptions {
  pluginId: string;
  /** The interpreter (`SLUICE_PYTHON`), and how to start it: see pythonLaunch. */
  python: string;
  launch?: PythonLaunch;
  /** Another OS user to run as (the server must be root); `unshare` switches to it when the launch has a network namespace. */
  user?: ChildUser;
  /** The runtime script (runtime/sluice_runtime.py). */
  scriptPath: string;
  /** The plugin's own folder: the process's working directory. */
  folder: string;
  memoryLimitMb: number;
  /** The folder the plugin's `requirements:` were installed into (pip --target), for its `sys.path`. */
  sitePackages?: string;
  logger: Logger;
  /** Messages that are not answers to requests: host capability calls, logs, stream answers. */
  onMessage(message: Exclude<ChildToHost, { t: "ready" | "reply" }>, child: PythonChild): void;
}

const STDERR_TAIL_LENGTH = 4096;
/** The runtime exits with this code after a MemoryError (sluice_runtime.py `OUT_OF_MEMORY_EXIT`). */
const OUT_OF_MEMORY_EXIT = 86;
const MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

/**
 * One Python-tier process: `python3 -I -B sluice_runtime.py <memory MB>` with an empty
 * environment, in the plugin's folder. It speaks the trusted tier's messages as JSON lines: the
 * host writes to its stdin, it writes to file descriptor 3; its stdout and stderr (what escapes
 * the runtime's own `print` capture, such as a native library's output) go to the server log.
 * When the process ends, every request still waiting rejects with a {@link ChildExitedError}.
 */
export class PythonChild implements PluginChild {
  readonly exited: Promise<ChildExit>;
  readonly #process: ChildProcess;
  readonly #options: PythonChildOptions;
  readonly #requests = new Map<number, { resolve(json: string): void; reject(error: Error): void }>();
  #lastRequestId = 0;
  #killReason: KillReason | undefined;
  #exit: ChildExit | undefined;
  #stderrTail = "";
  #spawnError: Error | undefined;
  #onReady: (() => void) | undefined;

  private constructor(options: PythonChildOptions) {
    this.#options = options;
    const args = ["-I", "-B", options.scriptPath, String(options.memoryLimitMb), ...(options.sitePackages ? [options.sitePackages] : [])];
    const launch = options.launch ?? { command: options.python, args: [], env: {}, hasOwnNetwork: false };
    const installation = launch.installationPath ? fs.openSync(launch.installationPath, "r") : undefined;
    // `unshare` (run as root) switches to the user itself, inside the new namespace.
    const switchesHere = options.user && !launch.hasOwnNetwork;
    try {
      this.#process = spawn(launch.command, [...launch.args, ...args], {
        // Nothing of the server's environment (secrets, database URLs) reaches the plugin.
        env: launch.env,
        cwd: options.folder,
        stdio: ["pipe", "pipe", "pipe", "pipe", ...(installation === undefined ? [] : [installation])],
        ...(switchesHere && { uid: options.user!.uid, gid: options.user!.gid }),
      });
    } finally {
      if (installation !== undefined) fs.closeSync(installation);
    }
    this.#forwardOutput();
    this.#readMessages(this.#process.stdio[3] as Readable);
    this.exited = new Promise((resolve) => {
      this.#process.once("close", (code, signal) => {
        const stderrTail = this.#spawnError ? this.#spawnError.message : this.#stderrTail;
        this.#exit = {
          code,
          signal,
          reason: this.#killReason,
          isOutOfMemory: code === OUT_OF_MEMORY_EXIT || /\bMemoryError\b/.test(this.#stderrTail),
          stderrTail,
        };
        for (const request of this.#requests.values()) request.reject(new ChildExitedError(this.#exit));
        this.#requests.clear();
        resolve(this.#exit);
      });
    });
    this.#process.on("error", (error) => {
      this.#spawnError = error;
      options.logger.warn({ pluginId: options.pluginId, err: error }, "python-tier process error");
    });
    this.#process.stdin?.on("error", () => {});
  }

  /** Starts a process and waits until its runtime is ready (or throws why not, within `timeoutMs`). */
  static async start(options: PythonChildOptions, timeoutMs: number): Promise<PythonChild> {
    const child = new PythonChild(options);
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
    if (child.#spawnError) throw new Error(`Could not start ${options.python}: ${child.#spawnError.message}`);
    const why =
      outcome === "timeout" ? `it did not start within ${timeoutMs} ms` : `it exited (${outcome.signal ?? `code ${outcome.code}`})`;
    const detail = child.#stderrTail.trim().split("\n").at(-1)?.trim();
    throw new Error(`Could not start the plugin's Python process: ${why}${detail ? `: ${detail}` : ""}`);
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  get isAlive(): boolean {
    return this.#exit === undefined && this.#killReason === undefined;
  }

  /** Loads the plugin's Python source; resolves with the descriptor's JSON text. */
  load(pluginId: string, code: string): Promise<string> {
    return this.#request((id) => ({ t: "load", id, pluginId, code, fetch: { timeoutMs: 0, maxBytes: 0, idleTimeoutMs: 0 } }));
  }

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

  /** True when the runtime answers a no-op within `withinMs`: no plugin code holds its event loop. */
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
    const stdin = this.#process.stdin as Writable | null;
    if (this.#exit || !stdin || stdin.destroyed) return;
    stdin.write(JSON.stringify(message) + "\n");
  }

  #readMessages(stream: Readable): void {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      if (partial.length > MAX_MESSAGE_LENGTH) {
        this.#options.logger.warn({ pluginId: this.#options.pluginId }, "the Python process sent an oversized message; stopping it");
        this.kill({ kind: "disposed" });
      }
      for (const line of lines) {
        if (line.trim() === "") continue;
        let message: ChildToHost;
        try {
          message = JSON.parse(line) as ChildToHost;
        } catch {
          continue;
        }
        this.#receive(message);
      }
    });
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

  /** Output that escaped the runtime (a native library writing to its descriptors) goes to the server log. */
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
