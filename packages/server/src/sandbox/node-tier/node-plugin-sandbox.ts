import type { Logger } from "pino";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { PluginHost } from "../host/plugin-host.ts";
import type { HostHandlers } from "../invocation-handlers.ts";
import type { ChildFetchSettings } from "./node-tier-protocol.ts";
import { NodeProcessTransport } from "./node-process-transport.ts";
import type { ChildUser } from "./prepare-child-user.ts";

export interface NodePluginSandboxOptions {
  pluginId: string;
  /** The server's DATA_DIR: the plugin's folder is `<dataDir>/plugins/<pluginId>`. */
  dataDir: string;
  /**
   * The OS user and group the process runs as (the server must be root), so that it cannot open
   * the server's files or signal it; absent: the server's own user.
   */
  user?: ChildUser;
  /** The child's V8 heap limit (`--max-old-space-size`). Default 128. */
  memoryLimitMb?: number;
  /** Time limit of loading and of each call, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Time limit of a stream hook on one chunk, in milliseconds. Default 100. */
  streamTimeoutMs?: number;
  /** How long a call's background work (`ctx.waitUntil`) may go on after its hook returned. Default 30000. */
  waitUntilMs?: number;
  /** `ctx.fetch` inside the child (Node's fetch): time limit, body cap and idle limit. */
  fetch?: Partial<ChildFetchSettings>;
  /** Defaults for `ctx.emit`, `ctx.call` and `ctx.log` (`fetch` is not used: the child fetches itself). */
  host: HostHandlers;
  logger: Logger;
}

/**
 * The trusted tier: one plugin in its own Node.js child
 * process with full Node APIs, a {@link PluginHost} over a {@link NodeProcessTransport}, so the
 * registry and the chat pipeline use it as they use `PluginSandbox`. The process runs under
 * Node's permission model: it reads and writes only its folder `<DATA_DIR>/plugins/<id>` (plus
 * reading its entry script), starts no processes or workers, loads no addons, sees an empty
 * environment, and has a heap limit. The network is NOT restricted (Node 24 cannot): `ctx.fetch`
 * is Node's fetch.
 *
 * A call that runs past its limit fails with PLUGIN_TIMEOUT; if the process does not answer at
 * once it is killed (SIGKILL). A crash, `process.exit` or running out of heap fails the calls in
 * flight (PLUGIN_ERROR, PLUGIN_MEMORY_LIMIT); the next call starts a new process and loads the
 * plugin again, so the sandbox itself stays usable until it is disposed.
 *
 * @example
 * const { sandbox } = await NodePluginSandbox.create(code, { pluginId: "disk_cache", dataDir, host: {}, logger });
 * const result = await sandbox.invoke({ hook: "inlet", payload: body, context });
 */
export class NodePluginSandbox extends PluginHost {
  /** The plugin's own folder: its working directory, the only place it may read and write. */
  readonly folder: string;
  readonly #transport: NodeProcessTransport;

  private constructor(code: string, options: NodePluginSandboxOptions) {
    const settings = {
      pluginId: options.pluginId,
      memoryLimitMb: options.memoryLimitMb ?? 128,
      timeoutMs: options.timeoutMs ?? 5000,
      streamTimeoutMs: options.streamTimeoutMs ?? 100,
      ...(options.waitUntilMs === undefined ? {} : { waitUntilMs: options.waitUntilMs }),
      host: options.host,
      logger: options.logger,
    };
    const fetch = {
      timeoutMs: options.fetch?.timeoutMs ?? 30_000,
      maxBytes: options.fetch?.maxBytes ?? 10 * 1024 * 1024,
      idleTimeoutMs: options.fetch?.idleTimeoutMs ?? 60_000,
    };
    let transport: NodeProcessTransport | undefined;
    super(
      settings,
      (host) => (transport = new NodeProcessTransport(host, code, { ...settings, dataDir: options.dataDir, user: options.user, fetch })),
    );
    this.#transport = transport!;
    this.folder = this.#transport.folder;
  }

  /**
   * Starts the plugin's process and loads the compiled plugin (see `compileNodePlugin`) in it.
   * Anything that goes wrong is a PLUGIN_LOAD_FAILED SluiceError; the process is ended then.
   */
  static async create(
    code: string,
    options: NodePluginSandboxOptions,
  ): Promise<{ sandbox: NodePluginSandbox; descriptor: PluginDescriptor }> {
    const sandbox = new NodePluginSandbox(code, options);
    const descriptor = await sandbox.loadPlugin();
    return { sandbox, descriptor };
  }

  /** The process id of the running child, if one runs (for tests and diagnostics). */
  get processId(): number | undefined {
    return this.#transport.child?.pid;
  }
}
