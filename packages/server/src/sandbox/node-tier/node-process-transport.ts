import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { parsePluginDescriptor } from "../host/parse-plugin-descriptor.ts";
import { messageOf, unloadedError } from "../host/plugin-errors.ts";
import type { CallInfo, PluginTransport, TransportHost } from "../host/plugin-transport.ts";
import { ChildConnection } from "./child-connection.ts";
import { childScriptPath } from "./child-script.ts";
import { childCallFailure, childLoadFailure, type ChildFailureContext } from "./child-failures.ts";
import { NodeChild, type ChildExit } from "./node-child.ts";
import type { ChildFetchSettings, ChildToHost, HostCapability } from "./node-tier-protocol.ts";
import { permissionFlags } from "./permission-flags.ts";
import { prepareChildUser, type ChildUser } from "./prepare-child-user.ts";

export interface NodeProcessTransportOptions {
  pluginId: string;
  /** The server's DATA_DIR: the plugin's folder is `<dataDir>/plugins/<pluginId>`. */
  dataDir: string;
  /** The OS user and group the process runs as (see `NodePluginSandboxOptions.user`). */
  user?: ChildUser;
  memoryLimitMb: number;
  timeoutMs: number;
  fetch: ChildFetchSettings;
  logger: Logger;
}

const HOST_CAPABILITIES = new Set<HostCapability>(["emit", "call", "serve"]);

// How long a new process may take to start its runtime (not counted in any call's limit).
const START_TIMEOUT_MS = 15_000;

/** The plugin's own folder: its working directory, the only place it may read and write. */
export function pluginFolder(dataDir: string, pluginId: string): string {
  if (!/^[a-z0-9_.-]+$/i.test(pluginId) || pluginId.startsWith(".")) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", `"${pluginId}" cannot name a folder`, { pluginId });
  }
  return path.resolve(dataDir, "plugins", pluginId);
}

/**
 * The trusted tier's transport: the plugin in its own Node.js child process under Node's
 * permission model (see `permissionFlags`), talking over the IPC channel (node-tier-protocol.ts).
 * A crash, `process.exit`, running out of heap or a kill after a timeout fails the calls in
 * flight; the transport stays usable, and the next call starts a new process and loads the plugin
 * again. Only its owner disposes it.
 */
export class NodeProcessTransport implements PluginTransport {
  readonly folder: string;
  readonly #host: TransportHost;
  readonly #code: string;
  readonly #options: NodeProcessTransportOptions;
  readonly #connections = new WeakMap<NodeChild, ChildConnection<NodeChild>>();
  #connection: ChildConnection<NodeChild> | undefined;
  #starting: Promise<ChildConnection<NodeChild>> | undefined;
  #isDisposed = false;

  constructor(host: TransportHost, code: string, options: NodeProcessTransportOptions) {
    this.folder = pluginFolder(options.dataDir, options.pluginId);
    this.#host = host;
    this.#code = code;
    this.#options = options;
  }

  /** True once disposed by its owner. A crashed or killed process does not dispose it: the next call restarts it. */
  get isDisposed(): boolean {
    return this.#isDisposed;
  }

  get isBroken(): boolean {
    return false;
  }

  /** The running process, if one runs. */
  get child(): NodeChild | undefined {
    return this.#connection?.child.isAlive ? this.#connection.child : undefined;
  }

  async load(): Promise<PluginDescriptor> {
    const { connection, descriptor } = await this.#start();
    this.#connection = connection;
    return descriptor;
  }

  async #start(): Promise<{ connection: ChildConnection<NodeChild>; descriptor: PluginDescriptor }> {
    const { pluginId, logger, dataDir, user } = this.#options;
    await fs.mkdir(this.folder, { recursive: true, mode: 0o700 });
    const scriptPath = await childScriptPath(dataDir);
    if (user) await prepareChildUser({ dataDir, folder: this.folder, scriptPath, user });
    const child = await NodeChild.start(
      {
        pluginId,
        scriptPath,
        execArgv: permissionFlags({ scriptPath, folder: this.folder, memoryLimitMb: this.#options.memoryLimitMb }),
        folder: this.folder,
        user,
        logger,
        onMessage: (message, from) => this.#receive(message, from),
      },
      START_TIMEOUT_MS,
    );
    const connection = new ChildConnection(child, pluginId, logger);
    this.#connections.set(child, connection);
    void child.exited.then((exit) => this.#onExit(connection, exit));
    const { timeoutMs } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    try {
      timer = setTimeout(() => child.kill({ kind: "load-timeout", timeoutMs }), timeoutMs);
      const descriptor = parsePluginDescriptor(await child.load(pluginId, this.#code, this.#options.fetch), pluginId);
      if (this.#isDisposed) throw new Error(`Plugin "${pluginId}" was unloaded while it was starting`);
      return { connection, descriptor };
    } catch (error) {
      child.kill({ kind: "disposed" });
      throw new SluiceError("PLUGIN_LOAD_FAILED", this.#loadFailure(error), { pluginId, cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  #loadFailure(error: unknown): string {
    return childLoadFailure(error, this.#failureContext());
  }

  #failureContext(): ChildFailureContext {
    const { pluginId, timeoutMs, memoryLimitMb } = this.#options;
    return { pluginId, timeoutMs, memoryLimitMb, processName: "Node.js" };
  }

  async connect(hook: string): Promise<ChildConnection<NodeChild>> {
    const { pluginId, logger } = this.#options;
    if (this.#isDisposed) throw unloadedError({ pluginId, hook });
    if (this.#connection?.child.isAlive) return this.#connection;
    if (!this.#starting) {
      logger.info({ pluginId }, "starting the trusted-tier process again");
      this.#starting = this.#start()
        .then(({ connection }) => (this.#connection = connection))
        .finally(() => (this.#starting = undefined));
    }
    try {
      return await this.#starting;
    } catch (error) {
      throw new SluiceError("PLUGIN_ERROR", `Plugin "${pluginId}" could not be started again for ${hook}: ${messageOf(error)}`, {
        pluginId,
        hook,
        cause: error,
      });
    }
  }

  /** Maps a failure of a call: the process ended (crash, out of memory, killed), or the child failed. */
  describeFailure(error: unknown, call: CallInfo): SluiceError {
    return childCallFailure(error, call, this.#failureContext());
  }

  /** Ends the process now; calls in flight fail. */
  dispose(): void {
    this.#isDisposed = true;
    this.#connection?.child.kill({ kind: "disposed" });
    this.#connection = undefined;
  }

  #onExit(connection: ChildConnection<NodeChild>, exit: ChildExit): void {
    if (this.#connection === connection) this.#connection = undefined;
    connection.lose(exit);
    if (exit.reason?.kind === "disposed" || exit.reason?.kind === "load-timeout") return;
    this.#options.logger.warn(
      {
        pluginId: this.#options.pluginId,
        code: exit.code,
        signal: exit.signal,
        reason: exit.reason?.kind ?? (exit.isOutOfMemory ? "out of memory" : "crash"),
      },
      "trusted-tier process ended; it starts again on the next call",
    );
  }

  /** Messages from the process: capabilities of a running call, log lines, network waits, stream answers. */
  #receive(message: Exclude<ChildToHost, { t: "ready" | "reply" }>, child: NodeChild): void {
    const { capabilities } = this.#host;
    try {
      switch (message.t) {
        case "host":
          void capabilities[HOST_CAPABILITIES.has(message.capability) ? message.capability : "emit"](
            message.invocationId,
            message.json,
          ).then((result) => child.replyToHostCall(message.id, JSON.stringify(result)));
          return;
        case "wait":
          return capabilities.wait(message.invocationId, message.isWaiting);
        case "log":
          return capabilities.log(message.invocationId, message.level, message.message);
        case "chunked":
          return this.#connections.get(child)?.answerChunks(message.items);
      }
    } catch (error) {
      this.#options.logger.warn(
        { pluginId: this.#options.pluginId, err: error },
        "ignored a malformed message from the trusted-tier process",
      );
    }
  }
}
