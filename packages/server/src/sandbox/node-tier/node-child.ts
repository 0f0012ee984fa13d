import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Logger } from "pino";
import { ChildPeer, type ChildExit, type KillReason } from "./child-peer.ts";
import type { ChildUser } from "./prepare-child-user.ts";
import type { ChildFetchSettings, ChildMethod, ChildSignal, ChildToHost, HostToChild } from "./node-tier-protocol.ts";

export { ChildExitedError, lastLine, type ChildExit, type KillReason } from "./child-peer.ts";

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

const OUT_OF_MEMORY = /heap out of memory|Reached heap limit/;

/**
 * One trusted-tier child process: started with an empty environment and the given flags, it
 * talks over Node's IPC channel. Requests are answered in any order; when the process ends,
 * every request still waiting rejects with a {@link ChildExitedError} (see {@link ChildPeer}).
 */
export class NodeChild {
  readonly exited: Promise<ChildExit>;
  readonly #process: ChildProcess;
  readonly #options: NodeChildOptions;
  readonly #peer: ChildPeer;

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
    this.#peer = new ChildPeer(this.#process, {
      pluginId: options.pluginId,
      logger: options.logger,
      tierName: "Node.js",
      endEvent: "exit",
      send: (message) => this.#send(message),
      isOutOfMemory: (_code, stderrTail) => OUT_OF_MEMORY.test(stderrTail),
      onMessage: (message) => options.onMessage(message, this),
    });
    this.exited = this.#peer.exited;
    this.#process.on("message", (message: ChildToHost) => this.#peer.receive(message));
  }

  /** Starts a child and waits until its runtime is ready (or throws, the child ended, within `timeoutMs`). */
  static async start(options: NodeChildOptions, timeoutMs: number): Promise<NodeChild> {
    const child = new NodeChild(options);
    await child.#peer.untilReady(timeoutMs);
    return child;
  }

  get pid(): number | undefined {
    return this.#peer.pid;
  }

  /** True until the process has ended or been told to. */
  get isAlive(): boolean {
    return this.#peer.isAlive;
  }

  /** Loads the plugin's compiled code; resolves with the descriptor's JSON text. */
  load(pluginId: string, code: string, fetch: ChildFetchSettings): Promise<string> {
    return this.#peer.request((id) => ({ t: "load", id, pluginId, code, fetch }));
  }

  /** Calls a runtime entry point; resolves with its JSON text, rejects when the child fails or ends. */
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

  /** True when the child answers a no-op within `withinMs`: its event loop is not stuck. */
  isResponsive(withinMs: number): Promise<boolean> {
    return this.#peer.isResponsive(withinMs);
  }

  /** Ends the process at once (SIGKILL); the first reason given is the one reported. */
  kill(reason: KillReason): void {
    this.#peer.kill(reason);
  }

  #send(message: HostToChild): void {
    if (this.#peer.hasExited || !this.#process.connected) return;
    try {
      this.#process.send(message);
    } catch (error) {
      this.#options.logger.warn({ pluginId: this.#options.pluginId, err: error }, "could not send to the trusted-tier process");
    }
  }
}

// Node's binary may sit where the other user cannot pass (under /root): on Linux the child runs
// it through a descriptor the server opened (fd 4 in the child, after stdin, stdout, stderr, IPC).
function openExecutable(): { descriptor: number; path: string } | undefined {
  if (!fs.existsSync("/proc/self/fd")) return undefined;
  return { descriptor: fs.openSync(process.execPath, "r"), path: "/proc/self/fd/4" };
}
