import type { Logger } from "pino";
import { pino } from "pino";
import semver from "semver";
import { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import type { HostHandlers } from "../sandbox/invocation-handlers.ts";
import { PluginSandbox } from "../sandbox/plugin-sandbox.ts";
import { compilePlugin } from "./compile-plugin.ts";
import { hashPluginSource } from "./hash-plugin-source.ts";
import { parseFrontmatter } from "./parse-frontmatter.ts";
import { SDK_VERSION, SLUICE_VERSION } from "./plugin-versions.ts";

/** A plugin ready to run: its sandbox, what it is, its frontmatter and the hash it was loaded for. */
export interface LoadedPlugin {
  sandbox: PluginSandbox;
  descriptor: PluginDescriptor;
  /** The frontmatter (`title`, `version`, `requirements`, …), stored as `meta.manifest`. */
  manifest: Record<string, string>;
  /** See {@link hashPluginSource}; stored as the row's `content_hash`. */
  contentHash: string;
  /** When the sandbox was created (epoch milliseconds). */
  loadedAt: number;
}

export interface LoadPluginOptions {
  pluginId: string;
  /** Where the plugin is being saved: Functions hold pipes, filters and actions; Tools hold tools. */
  expectedKind?: "function" | "tools";
  /** Largest accepted source, in UTF-8 bytes. Default 1 MiB. */
  maxSourceBytes?: number;
  /** The running server's version, checked against `required_sluice_version`. Default: this package's. */
  sluiceVersion?: string;
  memoryLimitMb?: number;
  timeoutMs?: number;
  /** Sandbox-wide capability handlers (see PluginSandbox). Default: none (fetch denied). */
  host?: HostHandlers;
  /** Where plugin log lines go. Default: a pino logger named "plugin". */
  logger?: Logger;
}

const DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024;
let defaultLogger: Logger | undefined;

function checkSluiceVersion(manifest: Record<string, string>, sluiceVersion: string, pluginId: string): void {
  const required = manifest.required_sluice_version;
  if (required === undefined || required === "") return;
  if (semver.validRange(required) === null) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", `required_sluice_version "${required}" is not a valid version range (for example ">=0.1")`, { pluginId });
  }
  if (!semver.satisfies(sluiceVersion, required, { includePrerelease: true })) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", `This plugin requires Sluice ${required}; this server is ${sluiceVersion}`, { pluginId });
  }
}

function kindMismatch(descriptor: PluginDescriptor, expectedKind: "function" | "tools" | undefined): string | undefined {
  if (expectedKind === "tools" && descriptor.kind !== "tools") {
    return `This is a ${descriptor.kind}; create it under Functions, not Tools`;
  }
  if (expectedKind === "function" && descriptor.kind === "tools") {
    return "This is a tools module; create it under Tools, not Functions";
  }
  return undefined;
}

/**
 * The load path of docs/internals/plugin-runtime.md and DESIGN.md "Lifecycle": size limit →
 * frontmatter → version check → compile → sandbox → kind check. Every refusal is a
 * PLUGIN_LOAD_FAILED SluiceError whose message an admin can act on (HTTP 400).
 *
 * @example
 * const loaded = await loadPlugin(source, { pluginId: "turn_limit", expectedKind: "function" });
 * loaded.descriptor.kind; // "filter"
 */
export async function loadPlugin(source: string, options: LoadPluginOptions): Promise<LoadedPlugin> {
  const { pluginId } = options;
  const maxSourceBytes = options.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES;
  const sourceBytes = Buffer.byteLength(source, "utf8");
  if (sourceBytes > maxSourceBytes) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", `Plugin source is ${sourceBytes} bytes; the limit is ${maxSourceBytes}`, { pluginId });
  }
  const manifest = parseFrontmatter(source);
  checkSluiceVersion(manifest, options.sluiceVersion ?? SLUICE_VERSION, pluginId);
  const contentHash = hashPluginSource(source, manifest.requirements ?? "", SDK_VERSION);

  let code: string;
  try {
    ({ code } = await compilePlugin(source));
  } catch (error) {
    if (!SluiceError.isInstance(error)) throw error;
    throw new SluiceError(error.code, error.message, { pluginId, cause: error.cause });
  }
  const { sandbox, descriptor } = await PluginSandbox.create(code, {
    pluginId,
    memoryLimitMb: options.memoryLimitMb,
    timeoutMs: options.timeoutMs,
    host: options.host ?? {},
    logger: options.logger ?? (defaultLogger ??= pino({ name: "plugin" })),
  });
  const mismatch = kindMismatch(descriptor, options.expectedKind);
  if (mismatch) {
    sandbox.dispose();
    throw new SluiceError("PLUGIN_LOAD_FAILED", mismatch, { pluginId });
  }
  return { sandbox, descriptor, manifest, contentHash, loadedAt: Date.now() };
}
