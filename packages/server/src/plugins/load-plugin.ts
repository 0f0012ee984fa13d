import type { PluginNamespace } from "../core/ports.ts";
import type { Logger } from "pino";
import { pino } from "pino";
import semver from "semver";
import { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { createHostFetch } from "../sandbox/create-host-fetch.ts";
import { DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_MS, PluginSandbox } from "../sandbox/isolate/plugin-sandbox.ts";
import { compilePlugin, type PluginDependencies } from "./compile-plugin.ts";
import { installRequirements } from "./install-requirements.ts";
import { parseRequirements } from "./parse-requirements.ts";
import { hashPluginSource } from "./hash-plugin-source.ts";
import { looksLikePython, parseFrontmatter } from "@sluice/sdk/wire";
import { grantPermissions, isTierPermission, networkPatterns, requestedPermissions, type PluginPermissions } from "./parse-permissions.ts";
import { SDK_VERSION, SLUICE_VERSION } from "./plugin-versions.ts";
import { loadTrustedPlugin } from "./load-trusted-plugin.ts";
import { loadPythonPlugin } from "./load-python-plugin.ts";
import { LOCAL_FAILURE } from "./is-local-load-failure.ts";

import type { LoadedPlugin, LoadPluginOptions } from "./loaded-plugin.ts";
import { pluginHostHandlers } from "./plugin-host-handlers.ts";
export type { LoadedPlugin, LoadPluginOptions, PluginNetworkOptions } from "./loaded-plugin.ts";

const DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024;
let defaultLogger: Logger | undefined;

function checkSluiceVersion(manifest: Record<string, string>, sluiceVersion: string, pluginId: string): void {
  const required = manifest.required_sluice_version;
  if (required === undefined || required === "") return;
  if (semver.validRange(required) === null) {
    throw new SluiceError(
      "PLUGIN_LOAD_FAILED",
      `required_sluice_version "${required}" is not a valid version range (for example ">=0.1")`,
      { pluginId },
    );
  }
  if (!semver.satisfies(sluiceVersion, required, { includePrerelease: true })) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", `This plugin requires Sluice ${required}; this server is ${sluiceVersion}`, {
      pluginId,
      details: LOCAL_FAILURE,
    });
  }
}

function kindMismatch(descriptor: PluginDescriptor, expectedNamespace: PluginNamespace | undefined): string | undefined {
  if (expectedNamespace === "tool" && descriptor.kind !== "tools") {
    return `This is ${descriptor.kind === "events" ? "an event plugin" : `a ${descriptor.kind}`}; create it under Functions, not Tools`;
  }
  if (expectedNamespace === "function" && descriptor.kind === "tools") {
    return "This is a tools module; create it under Tools, not Functions";
  }
  return undefined;
}

/**
 * Refuses source with a lone surrogate (half of a UTF-16 pair): the database would store it as
 * U+FFFD, so the stored code would differ from what was compiled and hashed.
 */
function checkWellFormed(source: string, pluginId: string): void {
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(source);
  if (!lone) return;
  const before = source.slice(0, lone.index);
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  throw new SluiceError(
    "PLUGIN_LOAD_FAILED",
    `The source has a lone surrogate (half of a UTF-16 pair, not valid Unicode) at line ${line}, column ${column}; write the character whole or as an escape such as \\uD83D`,
    { pluginId },
  );
}

/**
 * The load path of docs/internals/plugin-runtime.md: size limit →
 * frontmatter → version check → compile → sandbox → kind check. Every refusal is a
 * PLUGIN_LOAD_FAILED SluiceError whose message an admin can act on (HTTP 400).
 *
 * @example
 * const loaded = await loadPlugin(source, { pluginId: "turn_limit", expectedNamespace: "function" });
 * loaded.descriptor.kind; // "filter"
 */
export async function loadPlugin(source: string, options: LoadPluginOptions): Promise<LoadedPlugin> {
  const { pluginId } = options;
  const maxSourceBytes = options.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES;
  const sourceBytes = Buffer.byteLength(source, "utf8");
  if (sourceBytes > maxSourceBytes) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", `Plugin source is ${sourceBytes} bytes; the limit is ${maxSourceBytes}`, { pluginId });
  }
  checkWellFormed(source, pluginId);
  const manifest = parseFrontmatter(source);
  checkSluiceVersion(manifest, options.sluiceVersion ?? SLUICE_VERSION, pluginId);
  const permissions = resolvePermissions(source, manifest, options);
  const contentHash = hashPluginSource(source, manifest.requirements ?? "", SDK_VERSION);
  // An Open WebUI plugin, as it is: the Python tier (docs/plugins.md, "Python plugins from Open WebUI").
  if (looksLikePython(source)) return loadPythonPlugin(source, options, { manifest, contentHash, permissions });
  if (permissions.requested.includes("node")) return loadTrustedPlugin(source, options, { manifest, contentHash, permissions });

  let code: string;
  try {
    ({ code } = await compilePlugin(source, { dependencies: await installedRequirements(manifest, options) }));
  } catch (error) {
    if (!SluiceError.isInstance(error)) throw error;
    throw new SluiceError(error.code, error.message, { pluginId, cause: error.cause });
  }
  const allowedHosts = networkPatterns(permissions.granted);
  const network = options.network ?? {};
  const fetch = createHostFetch({
    pluginId,
    allowedHosts,
    pendingHosts: networkPatterns(permissions.requested).filter((pattern) => !allowedHosts.includes(pattern)),
    allowPrivateNetwork: network.allowPrivateNetwork,
    maxBytes: network.fetchMaxBytes,
    timeoutMs: network.fetchTimeoutMs,
    idleTimeoutMs: network.fetchIdleTimeoutMs,
  });
  const memoryLimitMb = options.limits?.memoryMb ?? options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
  const timeoutMs = options.limits?.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (options.isFirstLoad && options.firstLoadChecker) await options.firstLoadChecker.check(code, { pluginId, memoryLimitMb, timeoutMs });
  const { sandbox, descriptor } = await PluginSandbox.create(code, {
    pluginId,
    memoryLimitMb,
    timeoutMs,
    streamTimeoutMs: options.limits?.streamTimeoutMs ?? options.streamTimeoutMs,
    waitUntilMs: options.waitUntilMs,
    host: { fetch, ...pluginHostHandlers(options) },
    logger: options.logger ?? (defaultLogger ??= pino({ name: "plugin" })),
    onCatastrophicError: options.onCatastrophicError,
    idleCpu: options.idleCpuMs === undefined ? undefined : { budgetMs: options.idleCpuMs },
  });
  const mismatch = kindMismatch(descriptor, options.expectedNamespace);
  if (mismatch) {
    sandbox.dispose();
    throw new SluiceError("PLUGIN_LOAD_FAILED", mismatch, { pluginId });
  }
  return { sandbox, descriptor, manifest, contentHash, loadedAt: Date.now(), permissions, limits: options.limits ?? {} };
}

/** Installs the frontmatter's npm requirements (reusing an earlier install of the same list). */
async function installedRequirements(
  manifest: Record<string, string>,
  options: LoadPluginOptions,
): Promise<PluginDependencies | undefined> {
  const requirements = parseRequirements(manifest.requirements);
  if (requirements.length === 0) return undefined;
  if (!options.requirements) {
    throw new SluiceError(
      "PLUGIN_LOAD_FAILED",
      "This server has no folder for npm requirements; remove the requirements line or set DATA_DIR",
    );
  }
  const folder = await installRequirements(requirements, options.requirements);
  return { folder, names: requirements.map((requirement) => requirement.name) };
}

function resolvePermissions(source: string, manifest: Record<string, string>, options: LoadPluginOptions): PluginPermissions {
  let requested: string[];
  try {
    requested = requestedPermissions(source, manifest);
  } catch (error) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", (error as Error).message, { pluginId: options.pluginId });
  }
  const grant = options.grant ?? (options.expectedNamespace === "tool" ? [] : "requested");
  // The trusted tier and the Python tier are granted only by an admin's explicit approval, never by a save.
  const granted = grantPermissions(requested, grant).filter((entry) => !isTierPermission(entry));
  if (options.isNodeGranted === true) granted.push(...requested.filter(isTierPermission));
  return { requested, granted };
}
