import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import type { HostConnect } from "../host-connect.ts";
import { PluginHost } from "../host/plugin-host.ts";
import type { HostHandlers } from "../invocation-handlers.ts";
import type { ValvesReader } from "../plugin-runner.ts";
import type { ChildUser } from "../node-tier/prepare-child-user.ts";
import type { PythonInstallation } from "./python-launch.ts";
import { PythonProcessTransport } from "./python-process-transport.ts";

export interface PythonPluginSandboxOptions {
  pluginId: string;
  /** The interpreter (`SLUICE_PYTHON`). Default `python3`. */
  python?: string;
  /**
   * Where it is installed (find-python.ts). Given, the process runs in a network namespace of its
   * own where `unshare` can make one, and can run as `user`.
   */
  installation?: PythonInstallation;
  /** Another OS user to run as (the server must be root): `PLUGIN_NODE_TIER_UID`, as for the trusted tier. */
  user?: ChildUser;
  /** The server's DATA_DIR: the plugin's folder is `<dataDir>/plugins/<pluginId>`. */
  dataDir: string;
  /** The folder the plugin's `requirements:` were installed into, put on its `sys.path`. */
  sitePackages?: string;
  /** The process's memory limit (its address space, plus 128 MB for the interpreter). Default 128. */
  memoryLimitMb?: number;
  /** Time limit of loading and of each call, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Time limit of a stream hook on one chunk, in milliseconds. Default 100. */
  streamTimeoutMs?: number;
  /** Defaults for the plugin's event emitter, event call, service channel and log. */
  host: HostHandlers;
  /** The plugin's permission-checked TCP connect: its sockets (httpx, aiohttp, http.client) go through it. */
  connect?: HostConnect;
  /** A relayed connection with no traffic this long is closed (`PLUGIN_FETCH_IDLE_TIMEOUT_MS`). */
  connectionIdleTimeoutMs?: number;
  logger: Logger;
}

/**
 * The Python tier: one Open WebUI plugin, its Python source unchanged, in its own Python process,
 * a {@link PluginHost} over a {@link PythonProcessTransport}, so the registry and the chat pipeline
 * use it as they use the other tiers. The process sees an empty environment, works in its folder
 * `<DATA_DIR>/plugins/<id>`, has an address-space cap, and is killed (SIGKILL) when a call runs
 * past its limit without answering; a crash fails the calls in flight and the next call starts it
 * again. Where the kernel allows it runs in a network namespace of its own, so its requests reach
 * the network only through the host's permission-checked fetch, and as another OS user when the
 * server runs as root; it is NOT confined otherwise (docs/security.md).
 *
 * @example
 * const { sandbox } = await PythonPluginSandbox.create(source, { pluginId: "word_count", dataDir, host: {}, logger });
 * const result = await sandbox.invoke({ hook: "inlet", payload: body, context });
 */
export class PythonPluginSandbox extends PluginHost {
  /** The plugin's own folder: its working directory. */
  readonly folder: string;
  readonly #transport: PythonProcessTransport;

  private constructor(source: string, options: PythonPluginSandboxOptions) {
    const settings = {
      pluginId: options.pluginId,
      memoryLimitMb: options.memoryLimitMb ?? 128,
      timeoutMs: options.timeoutMs ?? 5000,
      streamTimeoutMs: options.streamTimeoutMs ?? 100,
      host: options.host,
      logger: options.logger,
    };
    let transport: PythonProcessTransport | undefined;
    super(
      settings,
      (host) =>
        (transport = new PythonProcessTransport(host, source, {
          ...settings,
          python: options.python ?? "python3",
          installation: options.installation,
          user: options.user,
          dataDir: options.dataDir,
          sitePackages: options.sitePackages,
          connect: options.connect,
          connectionIdleTimeoutMs: options.connectionIdleTimeoutMs,
        })),
    );
    this.#transport = transport!;
    this.folder = this.#transport.folder;
  }

  /** Starts the plugin's process and loads its source. Anything that goes wrong is a PLUGIN_LOAD_FAILED SluiceError. */
  static async create(
    source: string,
    options: PythonPluginSandboxOptions,
  ): Promise<{ sandbox: PythonPluginSandbox; descriptor: PluginDescriptor }> {
    const sandbox = new PythonPluginSandbox(source, options);
    const descriptor = await sandbox.loadPlugin();
    return { sandbox, descriptor };
  }

  /**
   * The valves form's JSON Schema as `user` reads it, as Open WebUI serves it: options that a
   * method of the valves class lists are asked for again with the user as `__user__` (at load
   * they were listed with none). Null when the plugin has no such valves. A method that fails
   * leaves its field's options as they were at load; one that does not answer within the call
   * limit ends the process (a stuck runtime serves nothing else) and the call throws.
   */
  async valvesSpec(which: "valves" | "userValves", user: ValvesReader): Promise<object | null> {
    const hook = which === "valves" ? "valves form" : "user valves form";
    const { child } = await this.#transport.connect(hook);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        child.kill({ kind: "timeout", invocationId: "valves-spec", hook, timeoutMs: this.timeoutMs });
        reject(new SluiceError("PLUGIN_TIMEOUT", `Plugin "${this.pluginId}" did not list its valve options within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      const text = await Promise.race([child.request("valvesSpec", [which, user]), timedOut]);
      const schema: unknown = JSON.parse(text);
      return typeof schema === "object" && schema !== null && !Array.isArray(schema) ? schema : null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The process id of the running process, if one runs (for tests and diagnostics). */
  get processId(): number | undefined {
    return this.#transport.child?.pid;
  }
}
