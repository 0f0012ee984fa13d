import type { Logger } from "pino";
import type { PluginNamespace } from "../core/ports.ts";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import type { HostHandlers } from "../sandbox/invocation-handlers.ts";
import type { FirstLoadChecker } from "../sandbox/first-load-checker.ts";
import type { PluginRunner } from "../sandbox/plugin-runner.ts";
import type { InstallRequirementsOptions } from "./install-requirements.ts";
import type { PluginLimits } from "./plugin-limits.ts";
import type { PermissionGrant, PluginPermissions } from "./parse-permissions.ts";

/** A plugin ready to run: its sandbox, what it is, its frontmatter and the hash it was loaded for. */
export interface LoadedPlugin {
  /** An isolate (PluginSandbox), or for `permissions: node` its Node.js process (NodePluginSandbox). */
  sandbox: PluginRunner;
  descriptor: PluginDescriptor;
  /** The frontmatter (`title`, `version`, `requirements`, …), stored as `meta.manifest`. */
  manifest: Record<string, string>;
  /** See {@link hashPluginSource}; stored as the row's `content_hash`. */
  contentHash: string;
  /** When the sandbox was created (epoch milliseconds). */
  loadedAt: number;
  /**
   * What the `permissions` frontmatter asks for and what the plugin was loaded with (normalised
   * entries such as `network:api.example.com`); store both as `meta.permissions`.
   */
  permissions: PluginPermissions;
  /** The admin's limit override it was loaded with (`meta.limits`); `{}` for the server's defaults. */
  limits: PluginLimits;
}

/** How plugins reach the network through `ctx.fetch` (from the server's configuration). */
export interface PluginNetworkOptions {
  /** `PLUGIN_ALLOW_PRIVATE_NETWORK`: let plugins reach loopback, private and link-local addresses. */
  allowPrivateNetwork?: boolean;
  /** `PLUGIN_FETCH_MAX_BYTES`: largest response body. */
  fetchMaxBytes?: number;
  /** `PLUGIN_FETCH_TIMEOUT_MS`: time limit of one fetch until the response's head. */
  fetchTimeoutMs?: number;
  /** `PLUGIN_FETCH_IDLE_TIMEOUT_MS`: longest wait for the next chunk of a response body. */
  fetchIdleTimeoutMs?: number;
}

export interface LoadPluginOptions {
  pluginId: string;
  /** Where the plugin is being saved: functions hold pipes, filters and actions; tools hold tool modules. */
  expectedNamespace?: PluginNamespace;
  /** Largest accepted source, in UTF-8 bytes. Default 1 MiB. */
  maxSourceBytes?: number;
  /** The running server's version, checked against `required_sluice_version`. Default: this package's. */
  sluiceVersion?: string;
  memoryLimitMb?: number;
  timeoutMs?: number;
  streamTimeoutMs?: number;
  /** `PLUGIN_WAIT_UNTIL_MS`: how long background work (`ctx.waitUntil`) may go on after its hook returned. */
  waitUntilMs?: number;
  /**
   * Which of the requested permissions the plugin gets (see {@link PermissionGrant}). Default:
   * everything requested for functions (only admins save them), nothing for tools (a tool saved
   * by a user waits for an admin's approval; pass `"requested"` when an admin saves it).
   */
  grant?: PermissionGrant;
  network?: PluginNetworkOptions;
  /** Where npm `requirements` are installed and how (`cacheDir`: `<DATA_DIR>/plugin-deps`). Without it, requirements are refused. */
  requirements?: InstallRequirementsOptions;
  /** An admin's per-plugin override of `timeoutMs`, `streamTimeoutMs` and `memoryLimitMb` (`meta.limits`). */
  limits?: PluginLimits;
  /** Sandbox-wide capability handlers (see PluginSandbox). Default: the permission-checked fetch only. */
  host?: HostHandlers;
  /**
   * Sandbox-wide handlers that depend on which plugin is loaded, over `host`: its service channel
   * (`serve`) for calls that bring none of their own. `namespace` is from `expectedNamespace`.
   */
  pluginHost?: (plugin: { pluginId: string; namespace: "function" | "tool" }) => HostHandlers;
  /** Where plugin log lines go. Default: a pino logger named "plugin". */
  logger?: Logger;
  /** The server's DATA_DIR: trusted-tier plugins get their folder under `<dataDir>/plugins/`. */
  dataDir?: string;
  /** The OS user and group trusted-tier processes run as; absent: the server's own. */
  nodeTierUser?: { uid: number; gid: number };
  /**
   * An admin approved the tier this plugin runs in (`permissions: node`, the trusted tier; or the
   * Python tier for Python source): it is stored in the row's `meta.permissions.granted`. No
   * `grant` ever includes `node` or `python` on its own; only this does.
   */
  isNodeGranted?: boolean;
  /** The interpreter Python plugins run with (`SLUICE_PYTHON`). Default `python3`. */
  python?: string;
  /**
   * For the save path: a trusted-tier plugin not approved yet gets a placeholder that runs nothing
   * (see AwaitingApprovalRunner) instead of being refused, so it can be stored, inactive.
   */
  allowPendingApproval?: boolean;
  /** isolated-vm lost control of the plugin's isolate; see `PluginSandboxOptions.onCatastrophicError`. */
  onCatastrophicError?: (pluginId: string, message: string) => void;
  /** CPU an isolate may use between calls, in ms per 10 s (`PLUGIN_IDLE_CPU_MS`). */
  idleCpuMs?: number;
  /** Where code that has never run (a save) runs first, away from the server (see FirstLoadChecker). */
  firstLoadChecker?: FirstLoadChecker;
  /** This is the save path: the code has not run anywhere yet. */
  isFirstLoad?: boolean;
}
