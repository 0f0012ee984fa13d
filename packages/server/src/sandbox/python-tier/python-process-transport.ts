import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { parsePluginDescriptor } from "../host/parse-plugin-descriptor.ts";
import { messageOf, unloadedError } from "../host/plugin-errors.ts";
import type { CallInfo, PluginTransport, TransportHost } from "../host/plugin-transport.ts";
import { ChildConnection } from "../node-tier/child-connection.ts";
import { childCallFailure, childLoadFailure, type ChildFailureContext } from "../node-tier/child-failures.ts";
import type { ChildExit } from "../node-tier/node-child.ts";
import { pluginFolder } from "../node-tier/node-process-transport.ts";
import type { ChildToHost, HostCapability } from "../node-tier/node-tier-protocol.ts";
import { prepareChildUser, type ChildUser } from "../node-tier/prepare-child-user.ts";
import { parsePluginJson } from "../host/parse-plugin-json.ts";
import type { PluginCapabilities } from "../host/plugin-capabilities.ts";
import type { HostConnect } from "../host-connect.ts";
import { PythonChild } from "./python-child.ts";
import { SocketRelay, type RelayRequest } from "./socket-relay.ts";
import { pythonLaunch, type PythonInstallation } from "./python-launch.ts";
import { pythonRuntimePath } from "./python-runtime-files.ts";

export interface PythonProcessTransportOptions {
  pluginId: string;
  /** The interpreter (`SLUICE_PYTHON`, default `python3`). */
  python: string;
  /** Where the interpreter is installed (find-python.ts): needed to run it as `user` and in a network namespace. */
  installation?: PythonInstallation;
  /** Another OS user to run as (the server must be root), as the trusted tier does: see prepareChildUser. */
  user?: ChildUser;
  /** The server's DATA_DIR: the plugin's folder is `<dataDir>/plugins/<pluginId>`. */
  dataDir: string;
  /** The folder the plugin's `requirements:` were installed into, put on its `sys.path`. */
  sitePackages?: string;
  memoryLimitMb: number;
  timeoutMs: number;
  /** The plugin's permission-checked TCP connect, for the sockets its process opens (socket-relay.ts). */
  connect?: HostConnect;
  /** A relayed connection with no traffic this long is closed. */
  connectionIdleTimeoutMs?: number;
  logger: Logger;
}

/** The runtime as shipped beside this file (checking source runs it from here; plugins run a copy in DATA_DIR, see pythonRuntimePath). */
export const PYTHON_RUNTIME_PATH = fileURLToPath(new URL("./runtime/sluice_runtime.py", import.meta.url));

const HOST_CAPABILITIES = new Set<HostCapability>(["emit", "call", "serve"]);
type FetchCapability = "fetch" | "fetchRead" | "fetchClose";
/** The Python runtime's requests and urllib go through the host's permission-checked fetch (sluice_network.py); its other sockets through the relay (socket-relay.ts). */
const FETCH_CAPABILITIES = new Set<string>(["fetch", "fetchRead", "fetchClose"]);

/**
 * The host's fetch capabilities for the Python runtime, over JSON lines: a request body and each
 * body chunk cross as base64 (`{ request, body }` in; `{ bodyId }` for fetchRead and fetchClose).
 */
async function askFetch(capabilities: PluginCapabilities, capability: FetchCapability, invocationId: string, json: string) {
  try {
    const asked = parsePluginJson(json) as { request?: unknown; body?: unknown; bodyId?: unknown };
    if (capability === "fetch") {
      const body = typeof asked.body === "string" ? new Uint8Array(Buffer.from(asked.body, "base64")) : undefined;
      return await capabilities.fetch(invocationId, JSON.stringify(asked.request ?? null), body);
    }
    const bodyId = String(asked.bodyId);
    if (capability === "fetchClose") {
      capabilities.fetchClose(invocationId, bodyId);
      return { ok: true, value: null };
    }
    const chunk = await capabilities.fetchRead(invocationId, bodyId);
    return chunk.ok ? { ok: true, value: chunk.value === null ? null : Buffer.from(chunk.value).toString("base64") } : chunk;
  } catch (error) {
    return { ok: false, error: { code: "PLUGIN_ERROR", message: messageOf(error) } };
  }
}

// How long a new process may take to start its runtime (not counted in any call's limit).
const START_TIMEOUT_MS = 15_000;

/**
 * The Python tier's transport: an Open WebUI plugin, unchanged, in its own Python process running
 * `runtime/sluice_runtime.py`, which speaks the trusted tier's messages as JSON lines (see
 * PythonChild). A crash, running out of memory or a kill after a timeout fails the calls in flight;
 * the transport stays usable, and the next call starts a new process and loads the plugin again.
 * Only its owner disposes it.
 */
export class PythonProcessTransport implements PluginTransport {
  readonly folder: string;
  readonly #host: TransportHost;
  readonly #source: string;
  readonly #options: PythonProcessTransportOptions;
  readonly #connections = new WeakMap<PythonChild, ChildConnection<PythonChild>>();
  readonly #relays = new WeakMap<PythonChild, SocketRelay>();
  #connection: ChildConnection<PythonChild> | undefined;
  #starting: Promise<ChildConnection<PythonChild>> | undefined;
  #isDisposed = false;

  constructor(host: TransportHost, source: string, options: PythonProcessTransportOptions) {
    this.folder = pluginFolder(options.dataDir, options.pluginId);
    this.#host = host;
    this.#source = source;
    this.#options = options;
  }

  get isDisposed(): boolean {
    return this.#isDisposed;
  }

  get isBroken(): boolean {
    return false;
  }

  /** The running process, if one runs. */
  get child(): PythonChild | undefined {
    return this.#connection?.child.isAlive ? this.#connection.child : undefined;
  }

  async load(): Promise<PluginDescriptor> {
    const { connection, descriptor } = await this.#start();
    this.#connection = connection;
    return descriptor;
  }

  async #start(): Promise<{ connection: ChildConnection<PythonChild>; descriptor: PluginDescriptor }> {
    const { pluginId, logger, python, memoryLimitMb, timeoutMs, user, installation, sitePackages } = this.#options;
    await fs.mkdir(this.folder, { recursive: true, mode: 0o700 });
    const scriptPath = await pythonRuntimePath(this.#options.dataDir);
    if (user) {
      // Its folder becomes the user's; DATA_DIR and the database stay the server's (searchable, not readable or writable).
      const searchable = [path.dirname(path.dirname(scriptPath)), ...(sitePackages ? [path.dirname(sitePackages)] : [])];
      await prepareChildUser({ dataDir: this.#options.dataDir, folder: this.folder, searchable, user });
    }
    const launch = installation ? await pythonLaunch(installation, user, logger) : undefined;
    const child = await PythonChild.start(
      {
        pluginId,
        python,
        launch,
        user,
        scriptPath,
        folder: this.folder,
        memoryLimitMb,
        sitePackages: this.#options.sitePackages,
        logger,
        onMessage: (message, from) => this.#receive(message, from),
      },
      START_TIMEOUT_MS,
    ).catch((error: unknown) => {
      throw new SluiceError("PLUGIN_LOAD_FAILED", messageOf(error), { pluginId, cause: error });
    });
    const connection = new ChildConnection(child, pluginId, logger);
    this.#connections.set(child, connection);
    const relay = new SocketRelay({
      pluginId,
      connect: this.#options.connect,
      idleTimeoutMs: this.#options.connectionIdleTimeoutMs,
      send: (reply) => child.post(reply),
      logger,
    });
    this.#relays.set(child, relay);
    void child.exited.then((exit) => {
      relay.closeAll();
      this.#onExit(connection, exit);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      timer = setTimeout(() => child.kill({ kind: "load-timeout", timeoutMs }), timeoutMs);
      const descriptor = parsePluginDescriptor(await child.load(pluginId, this.#source), pluginId);
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
    return { pluginId, timeoutMs, memoryLimitMb, processName: "Python" };
  }

  async connect(hook: string): Promise<ChildConnection<PythonChild>> {
    const { pluginId, logger } = this.#options;
    if (this.#isDisposed) throw unloadedError({ pluginId, hook });
    if (this.#connection?.child.isAlive) return this.#connection;
    if (!this.#starting) {
      logger.info({ pluginId }, "starting the python-tier process again");
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

  describeFailure(error: unknown, call: CallInfo): SluiceError {
    return childCallFailure(error, call, this.#failureContext());
  }

  dispose(): void {
    this.#isDisposed = true;
    this.#connection?.child.kill({ kind: "disposed" });
    this.#connection = undefined;
  }

  #onExit(connection: ChildConnection<PythonChild>, exit: ChildExit): void {
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
      "python-tier process ended; it starts again on the next call",
    );
  }

  /** Messages from the process: capabilities of a running call, log lines and stream answers. */
  #receive(message: Exclude<ChildToHost, { t: "ready" | "reply" }> | RelayRequest, child: PythonChild): void {
    const { capabilities } = this.#host;
    try {
      switch (message.t) {
        case "net":
          return this.#relays.get(child)?.handle(message);
        case "host":
          // The Python runtime also asks for fetch (node-tier-protocol.ts names what a Node.js child asks).
          if (FETCH_CAPABILITIES.has(message.capability as string)) {
            void askFetch(capabilities, message.capability as string as FetchCapability, message.invocationId, message.json).then(
              (result) => child.replyToHostCall(message.id, JSON.stringify(result)),
            );
            return;
          }
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
        "ignored a malformed message from the python-tier process",
      );
    }
  }
}
