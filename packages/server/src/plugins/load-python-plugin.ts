import type { PluginNamespace } from "../core/ports.ts";
import { pino, type Logger } from "pino";
import { SluiceError, type PluginKind } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import path from "node:path";
import { checkPythonSource } from "../sandbox/python-tier/check-python-source.ts";
import { installPythonRequirements, parsePythonRequirements } from "../sandbox/python-tier/install-python-requirements.ts";
import { findPython } from "../sandbox/python-tier/find-python.ts";
import { PythonPluginSandbox } from "../sandbox/python-tier/python-plugin-sandbox.ts";
import { createHostConnect } from "../sandbox/host-connect.ts";
import { createHostFetch } from "../sandbox/create-host-fetch.ts";
import { networkPatterns } from "./parse-permissions.ts";
import { AwaitingApprovalRunner } from "./awaiting-approval-runner.ts";
import type { LoadedPlugin, LoadPluginOptions } from "./loaded-plugin.ts";
import { pluginHostHandlers } from "./plugin-host-handlers.ts";

let defaultLogger: Logger | undefined;

/** The statement an admin gets about what approving a Python plugin means (API answers, docs). */
export const PYTHON_TIER_NOTICE =
  "Python tier: this plugin runs unchanged in its own Python process (SLUICE_PYTHON) with an empty environment, " +
  "its working folder under DATA_DIR/plugins/, a memory cap and the plugins' time limits. " +
  "Its network connections (requests, urllib, httpx, aiohttp, sockets: TCP only) go through Sluice's network policy: the hosts in its permissions, public addresses only. " +
  "Where the server can make a network namespace (Linux with util-linux's unshare) the process has no other way out; " +
  "elsewhere it can connect to any host on the network itself, this server's private network and cloud metadata addresses included. " +
  "When the server runs as root the process runs as PLUGIN_NODE_TIER_UID (nobody by default) and cannot write the database or " +
  "DATA_DIR outside its folder; otherwise it can read and write any file this server's OS user can. " +
  "It can read what any user on the machine can, start processes, and use a whole CPU core. " +
  "Approve it only for code you trust.";

/** Why a Python plugin does not run yet, with the request that changes that. */
export function awaitingPythonApprovalError(pluginId: string, namespace: PluginNamespace | undefined): SluiceError {
  const path = namespace === "tool" ? "tools" : "functions";
  return new SluiceError(
    "PERMISSION_DENIED",
    `Plugin "${pluginId}" is Python (an Open WebUI plugin): it runs in the Python tier, its own Python process, ` +
      `only after an admin approves it (POST /api/v1/${path}/id/${pluginId}/permissions/approve)`,
    { pluginId },
  );
}

// Open WebUI looks for these top-level classes in this order; a tools module has `Tools`.
// An Event function is an event plugin (kind "events", stored as a function of type "event").
const FUNCTION_CLASSES: Array<[string, PluginKind]> = [
  ["Pipe", "pipe"],
  ["Filter", "filter"],
  ["Action", "action"],
  ["Event", "events"],
];

/** The kind of a Python plugin from its top-level classes, as Open WebUI picks it, or why it cannot be stored where it is. */
function pythonKind(classes: string[], namespace: PluginNamespace | undefined, pluginId: string): PluginKind {
  const refuse = (message: string) => new SluiceError("PLUGIN_LOAD_FAILED", message, { pluginId });
  const functionKind = FUNCTION_CLASSES.find(([name]) => classes.includes(name))?.[1];
  const hasTools = classes.includes("Tools");
  if (namespace === "tool") {
    if (hasTools) return "tools";
    if (functionKind)
      throw refuse(
        `This is ${functionKind === "events" ? "an event function" : `a ${functionKind}`}; create it under Functions, not Tools`,
      );
    throw refuse("No class named Tools at the top level of the module (Open WebUI's tools are a class Tools)");
  }
  if (functionKind) return functionKind;
  if (hasTools) throw refuse("This is a tools module; create it under Tools, not Functions");
  throw refuse("No class named Pipe, Filter, Action or Tools at the top level of the module");
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
    // Open WebUI calls an Event function for every server event; it filters on __event_name__.
    ...(kind === "events" && { events: ["*"] }),
  };
}

/**
 * `loadPlugin` for Python source (an Open WebUI plugin as it is). The interpreter (`SLUICE_PYTHON`)
 * must be Python 3.11+ with pydantic 2, else the plugin is refused saying what to install. The
 * source is parsed first, without running it: a syntax error is refused with its line, and the
 * kind comes from the top-level class. Until an admin approves it (`granted` includes "python")
 * none of its code runs: the save path gets an {@link AwaitingApprovalRunner}. Once approved it
 * runs in its own Python process (PythonPluginSandbox); an error while loading (a failed import,
 * an exception in `__init__`) is refused with the Python error, its line and the last frame.
 */
export async function loadPythonPlugin(
  source: string,
  options: LoadPluginOptions,
  loaded: Pick<LoadedPlugin, "manifest" | "contentHash" | "permissions">,
): Promise<LoadedPlugin> {
  const { pluginId } = options;
  const limits = options.limits ?? {};
  const logger = options.logger ?? (defaultLogger ??= pino({ name: "plugin" }));
  const python = await findPython(options.python ?? "python3");
  const { classes, shippedByOpenWebUI } = await checkPythonSource(source, python, pluginId);
  const kind = pythonKind(classes, options.expectedNamespace, pluginId);
  const common = { ...loaded, loadedAt: Date.now(), limits };

  if (!loaded.permissions.granted.includes("python")) {
    const reason = awaitingPythonApprovalError(pluginId, options.expectedNamespace);
    if (!options.allowPendingApproval) throw reason;
    const descriptor = placeholderDescriptor(kind);
    return { ...common, sandbox: new AwaitingApprovalRunner(pluginId, descriptor, reason), descriptor };
  }

  if (!options.dataDir) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", "The Python tier needs the server's data folder (DATA_DIR) for the plugin's files", {
      pluginId,
    });
  }
  // `requirements:` go into a folder shared by every plugin listing the same packages (pip --target).
  const listed = parsePythonRequirements(loaded.manifest.requirements, options.requirements?.maxPackages);
  // What Open WebUI ships and the plugin imports without listing it is installed as if listed.
  const unlisted = shippedByOpenWebUI.filter((name) => !listed.some((spec) => requirementName(spec) === name));
  const specs = [...listed, ...unlisted];
  const sitePackages =
    specs.length === 0
      ? undefined
      : await installPythonRequirements(specs, python, {
          cacheDir: path.join(options.dataDir, "python-deps"),
          timeoutMs: options.requirements?.timeoutMs,
          maxCacheBytes: options.requirements?.maxCacheBytes,
        }).catch((error: unknown) => {
          if (unlisted.length === 0 || !SluiceError.isInstance(error)) throw error;
          throw new SluiceError(
            error.code,
            `${error.message} (the plugin imports ${unlisted.join(", ")}, which Open WebUI ships with its server, ` +
              "so Sluice installs them as if they were listed under requirements)",
            { pluginId, cause: error, details: error.details },
          );
        });
  // requests and urllib in the plugin go through this fetch, its other sockets through `connect`: the plugin's `permissions: network:…`, public addresses only.
  const allowedHosts = networkPatterns(loaded.permissions.granted);
  const network = options.network ?? {};
  const policy = {
    pluginId,
    allowedHosts,
    pendingHosts: networkPatterns(loaded.permissions.requested).filter((pattern) => !allowedHosts.includes(pattern)),
    allowPrivateNetwork: network.allowPrivateNetwork,
  };
  const fetch = createHostFetch({
    ...policy,
    maxBytes: network.fetchMaxBytes,
    timeoutMs: network.fetchTimeoutMs,
    idleTimeoutMs: network.fetchIdleTimeoutMs,
  });
  // Its other clients' sockets (httpx, aiohttp, http.client) are relayed through the same policy.
  const connect = createHostConnect({ ...policy, timeoutMs: network.fetchTimeoutMs });
  const { sandbox, descriptor } = await PythonPluginSandbox.create(source, {
    pluginId,
    python: python.executable,
    installation: python,
    user: options.nodeTierUser,
    dataDir: options.dataDir,
    sitePackages,
    memoryLimitMb: limits.memoryMb ?? options.memoryLimitMb,
    timeoutMs: limits.timeoutMs ?? options.timeoutMs,
    streamTimeoutMs: limits.streamTimeoutMs ?? options.streamTimeoutMs,
    host: { fetch, ...pluginHostHandlers(options) },
    connect,
    connectionIdleTimeoutMs: network.fetchIdleTimeoutMs,
    logger,
  });
  return { ...common, sandbox, descriptor };
}

/** A requirement's package name, normalised as pip does (`Beautifulsoup4>=4` -> `beautifulsoup4`). */
function requirementName(spec: string): string {
  return /^[A-Za-z0-9._-]+/
    .exec(spec)![0]
    .toLowerCase()
    .replace(/[._-]+/g, "-");
}
