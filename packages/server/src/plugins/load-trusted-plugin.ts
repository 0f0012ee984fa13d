import type { PluginNamespace } from "../core/ports.ts";
import { pino, type Logger } from "pino";
import { SluiceError, type PluginKind } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { NodePluginSandbox } from "../sandbox/node-tier/node-plugin-sandbox.ts";
import { AwaitingApprovalRunner } from "./awaiting-approval-runner.ts";
import { compileNodePlugin } from "./compile-node-plugin.ts";
import type { PluginDependencies } from "./compile-plugin.ts";
import { installRequirements } from "./install-requirements.ts";
import { parseRequirements } from "./parse-requirements.ts";
import { guessPluginKind } from "@sluice/sdk/wire";
import type { LoadedPlugin, LoadPluginOptions } from "./loaded-plugin.ts";
import { pluginHostHandlers } from "./plugin-host-handlers.ts";

let defaultLogger: Logger | undefined;

/** The statement an admin gets about what granting `permissions: node` means (API answers, docs). */
export const TRUSTED_TIER_NOTICE =
  "Trusted tier (permissions: node): this plugin runs in its own Node.js process with full Node APIs. " +
  "It can reach any host on the network, including this server's private network and cloud metadata addresses " +
  "(Node 24 cannot restrict a process's network), and it may use a whole CPU core. Its files are limited to its " +
  "folder under DATA_DIR/plugins/, it sees none of the server's environment variables, and it cannot start " +
  "processes. Approve it only for code you trust as much as the server itself.";

/** Why a trusted-tier plugin does not run yet, with the request that changes that. */
export function awaitingApprovalError(pluginId: string, namespace: PluginNamespace | undefined): SluiceError {
  const path = namespace === "tool" ? "tools" : "functions";
  return new SluiceError(
    "PERMISSION_DENIED",
    `Plugin "${pluginId}" asks for the trusted tier (permissions: node): a Node.js process with full Node APIs and network access. ` +
      `It runs only after an admin approves it (POST /api/v1/${path}/id/${pluginId}/permissions/approve)`,
    { pluginId },
  );
}

/** Installs the frontmatter's npm requirements (as for the sandbox: on save, cached per spec list). */
async function installedRequirements(
  manifest: Record<string, string>,
  options: LoadPluginOptions,
): Promise<PluginDependencies | undefined> {
  const requirements = parseRequirements(manifest.requirements);
  if (requirements.length === 0) return undefined;
  if (!options.requirements)
    throw new SluiceError(
      "PLUGIN_LOAD_FAILED",
      "This server has no folder for npm requirements; remove the requirements line or set DATA_DIR",
    );
  return {
    folder: await installRequirements(requirements, options.requirements),
    names: requirements.map((requirement) => requirement.name),
  };
}

function placeholderDescriptor(kind: PluginKind): PluginDescriptor {
  return {
    kind,
    valvesSchema: null,
    userValvesSchema: null,
    secretFields: [],
    userSecretFields: [],
    pipes: null,
    hasDynamicPipes: false,
    actions: null,
    toggle: false,
    icon: null,
    tools: [],
    hooks: [],
  };
}

function kindMismatch(kind: PluginKind | undefined, expectedNamespace: PluginNamespace | undefined): string | undefined {
  if (expectedNamespace === "tool" && kind !== "tools")
    return kind ? `This is ${kind === "events" ? "an event plugin" : `a ${kind}`}; create it under Functions, not Tools` : undefined;
  if (expectedNamespace === "function" && kind === "tools") return "This is a tools module; create it under Tools, not Functions";
  return undefined;
}

/**
 * The trusted tier's part of `loadPlugin`, for a plugin whose frontmatter asks for `node`: once
 * an admin granted it (`granted` includes "node"), it starts the plugin's Node.js process
 * (NodePluginSandbox). Before that none of its code runs: it is compiled (syntax errors are
 * reported) and, when the save path allows it, given an {@link AwaitingApprovalRunner} with the
 * kind read from the source; anything else is refused with PERMISSION_DENIED.
 */
export async function loadTrustedPlugin(
  source: string,
  options: LoadPluginOptions,
  loaded: Pick<LoadedPlugin, "manifest" | "contentHash" | "permissions">,
): Promise<LoadedPlugin> {
  const { pluginId } = options;
  const limits = options.limits ?? {};
  let code: string;
  try {
    ({ code } = await compileNodePlugin(source, { dependencies: await installedRequirements(loaded.manifest, options) }));
  } catch (error) {
    if (!SluiceError.isInstance(error)) throw error;
    throw new SluiceError(error.code, error.message, { pluginId, cause: error.cause });
  }
  const common = { ...loaded, loadedAt: Date.now(), limits };

  if (!loaded.permissions.granted.includes("node")) {
    const reason = awaitingApprovalError(pluginId, options.expectedNamespace);
    if (!options.allowPendingApproval) throw reason;
    const kind = options.expectedNamespace === "tool" ? "tools" : guessPluginKind(source);
    const mismatch = kindMismatch(guessPluginKind(source) ?? kind, options.expectedNamespace);
    if (mismatch) throw new SluiceError("PLUGIN_LOAD_FAILED", mismatch, { pluginId });
    if (!kind) {
      throw new SluiceError(
        "PLUGIN_LOAD_FAILED",
        "A trusted-tier plugin is stored without running it until an admin approves it, so its kind must show in the source: " +
          "call definePipe, defineFilter or defineAction, or declare a class named Pipe, Filter or Action",
        { pluginId },
      );
    }
    const descriptor = placeholderDescriptor(kind);
    return { ...common, sandbox: new AwaitingApprovalRunner(pluginId, descriptor, reason), descriptor };
  }

  if (!options.dataDir)
    throw new SluiceError("PLUGIN_LOAD_FAILED", "The trusted tier needs the server's data folder (DATA_DIR) for the plugin's files", {
      pluginId,
    });
  const { sandbox, descriptor } = await NodePluginSandbox.create(code, {
    pluginId,
    dataDir: options.dataDir,
    user: options.nodeTierUser,
    memoryLimitMb: limits.memoryMb ?? options.memoryLimitMb,
    timeoutMs: limits.timeoutMs ?? options.timeoutMs,
    streamTimeoutMs: limits.streamTimeoutMs ?? options.streamTimeoutMs,
    waitUntilMs: options.waitUntilMs,
    fetch: {
      timeoutMs: options.network?.fetchTimeoutMs,
      maxBytes: options.network?.fetchMaxBytes,
      idleTimeoutMs: options.network?.fetchIdleTimeoutMs,
    },
    host: pluginHostHandlers(options),
    logger: options.logger ?? (defaultLogger ??= pino({ name: "plugin" })),
  });
  const mismatch = kindMismatch(descriptor.kind, options.expectedNamespace);
  if (mismatch) {
    sandbox.dispose();
    throw new SluiceError("PLUGIN_LOAD_FAILED", mismatch, { pluginId });
  }
  return { ...common, sandbox, descriptor };
}
