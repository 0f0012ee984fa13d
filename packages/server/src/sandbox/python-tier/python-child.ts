import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import type { PluginChild } from "../node-tier/child-connection.ts";
import { ChildPeer, type ChildExit, type KillReason } from "../node-tier/child-peer.ts";
import type { ChildMethod, ChildSignal, ChildToHost, HostToChild } from "../node-tier/node-tier-protocol.ts";
import type { ChildUser } from "../node-tier/prepare-child-user.ts";
import type { PythonLaunch } from "./python-launch.ts";
import type { RelayReply, RelayRequest } from "./socket-relay.ts";

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
  onMessage(message: Exclude<ChildToHost, { t: "ready" | "reply" }> | RelayRequest, child: PythonChild): void;
}

/** The runtime exits with this code after a MemoryError (sluice_runtime.py `OUT_OF_MEMORY_EXIT`). */
const OUT_OF_MEMORY_EXIT = 86;
const MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

/**
 * One Python-tier process: `python3 -I -B sluice_runtime.py <memory MB>` with an empty
 * environment, in the plugin's folder. It speaks the trusted tier's messages as JSON lines: the
 * host writes to its stdin, it writes to file descriptor 3; its stdout and stderr (what escapes
 * the runtime's own `print` capture, such as a native library's output) go to the server log.
 * When the process ends, every request still waiting rejects (see {@link ChildPeer}).
 */
export class PythonChild implements PluginChild {
  readonly exited: Promise<ChildExit>;
  readonly #process: ChildProcess;
  readonly #options: PythonChildOptions;
  readonly #peer: ChildPeer<ChildToHost | RelayRequest>;

  private constructor(options: PythonChildOptions) {
    this.#options = options;
    const args = ["-I", "-B", options.scriptPath, String(options.memoryLimitMb), ...(options.sitePackages ? [options.sitePackages] : [])];
    const launch = options.launch ?? { command: options.python, args: [], env: {}, hasOwnNetwork: false };
    const installation = launch.installationPath ? fs.openSync(launch.installationPath, "r") : undefined;
    // `unshare` (run as root) switches to the user itself, inside the new namespace.
    const switchesHere = options.user && !launch.hasOwnNetwork;
    try {
      this.#process = spawn(launch.command, [...launch.args, ...args], {
        // Nothing of the server's environment (secrets, database URLs) reaches the plugin. Two malloc
        // arenas: glibc's default reserves 64 MB of address space per thread, against the memory limit.
        env: { MALLOC_ARENA_MAX: "2", ...launch.env },
        cwd: options.folder,
        stdio: ["pipe", "pipe", "pipe", "pipe", ...(installation === undefined ? [] : [installation])],
        ...(switchesHere && { uid: options.user!.uid, gid: options.user!.gid }),
      });
    } finally {
      if (installation !== undefined) fs.closeSync(installation);
    }
    // Output that escapes the runtime (a native library writing to its descriptors) goes to the server log.
    this.#peer = new ChildPeer<ChildToHost | RelayRequest>(this.#process, {
      pluginId: options.pluginId,
      logger: options.logger,
      tierName: "Python",
      // Its messages come on a pipe of their own: "close" once that is read to the end too.
      endEvent: "close",
      send: (message) => this.#send(message),
      spawnFailure: (error) => `Could not start ${options.python}: ${error.message}`,
      isOutOfMemory: (code, stderrTail) => code === OUT_OF_MEMORY_EXIT || /\bMemoryError\b/.test(stderrTail),
      onMessage: (message) => options.onMessage(message, this),
    });
    this.exited = this.#peer.exited;
    this.#readMessages(this.#process.stdio[3] as Readable);
    this.#process.stdin?.on("error", () => {});
  }

  /** Starts a process and waits until its runtime is ready (or throws why not, within `timeoutMs`). */
  static async start(options: PythonChildOptions, timeoutMs: number): Promise<PythonChild> {
    const child = new PythonChild(options);
    await child.#peer.untilReady(timeoutMs);
    return child;
  }

  get pid(): number | undefined {
    return this.#peer.pid;
  }

  get isAlive(): boolean {
    return this.#peer.isAlive;
  }

  /** Loads the plugin's Python source; resolves with the descriptor's JSON text. */
  load(pluginId: string, code: string): Promise<string> {
    return this.#peer.request((id) => ({ t: "load", id, pluginId, code, fetch: { timeoutMs: 0, maxBytes: 0, idleTimeoutMs: 0 } }));
  }

  request(method: ChildMethod, args: unknown[]): Promise<string> {
    return this.#peer.request((id) => ({ t: "call", id, method, args }));
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
  isResponsive(withinMs: number): Promise<boolean> {
    return this.#peer.isResponsive(withinMs);
  }

  /** Ends the process at once (SIGKILL); the first reason given is the one reported. */
  kill(reason: KillReason): void {
    this.#peer.kill(reason);
  }

  /** A message that answers nothing: the socket relay's (socket-relay.ts). */
  post(message: RelayReply): void {
    this.#send(message as unknown as HostToChild);
  }

  #send(message: HostToChild): void {
    const stdin = this.#process.stdin as Writable | null;
    if (this.#peer.hasExited || !stdin || stdin.destroyed) return;
    stdin.write(JSON.stringify(message) + "\n");
  }

  /** The runtime's messages: JSON lines on file descriptor 3. */
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
        let message: ChildToHost | RelayRequest;
        try {
          message = JSON.parse(line) as ChildToHost | RelayRequest;
        } catch {
          continue;
        }
        this.#peer.receive(message);
      }
    });
  }
}
