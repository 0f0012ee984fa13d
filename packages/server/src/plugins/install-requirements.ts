import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { SluiceError } from "@sluice/sdk";
import type { Requirement } from "./parse-requirements.ts";
import { COMPLETE_MARKER, markInstallUsed, trimInstallCache } from "./trim-install-cache.ts";

export interface InstallRequirementsOptions {
  /** Where installs are kept, one folder per spec list (`<DATA_DIR>/plugin-deps`). */
  cacheDir: string;
  /** Longest an install may take before it is stopped. Default 120 s. */
  timeoutMs?: number;
  /** The npm executable. Default `npm` on PATH. */
  npmCommand?: string;
  /** Extra environment for npm (a test points `npm_config_registry` elsewhere). */
  environment?: Record<string, string>;
  /** Most packages one plugin may list (`PLUGIN_REQUIREMENTS_MAX`). Default 16. */
  maxPackages?: number;
  /** Most npm runs at once in this process (`PLUGIN_INSTALL_CONCURRENCY`); more wait. Default 2. */
  concurrency?: number;
  /** Most installs waiting for a turn; past it an install is refused with UNAVAILABLE. Default 8. */
  maxQueued?: number;
  /**
   * Size of `cacheDir` after an install, in bytes (`PLUGIN_DEPS_CACHE_MAX_MB`): past it the least
   * recently used install folders are removed (installed again when next needed). Default 512 MiB.
   */
  maxCacheBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_PACKAGES = 16;
const DEFAULT_CONCURRENCY = 2;
const DEFAULT_MAX_QUEUED = 8;
const DEFAULT_MAX_CACHE_BYTES = 512 * 1024 * 1024;
const NETWORK_ERROR =
  /\b(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT|UNABLE_TO_GET_ISSUER_CERT\w*|SELF_SIGNED_CERT\w*)\b/;
// What npm may see of the server's environment: no secrets, just what finding the registry takes.
const PASSED_ENVIRONMENT =
  /^(PATH|HOME|USER|TMPDIR|TMP|TEMP|LANG|LC_\w+|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO)_PROXY|npm_config_\w+)$/i;
const installing = new Map<string, Promise<string>>();

/** The cache folder name for a spec list: the same list in any order gives the same folder. */
export function requirementsKey(requirements: readonly Requirement[]): string {
  const specs = requirements.map((requirement) => requirement.spec).sort();
  return createHash("sha256")
    .update(`sluice-deps\0${specs.join("\0")}`)
    .digest("hex")
    .slice(0, 32);
}

/**
 * Installs a plugin's npm requirements with `npm install --ignore-scripts` into
 * `<cacheDir>/<hash of the spec list>` and returns that folder (its `node_modules` holds them). A
 * folder installed before (by this process or an earlier one) is reused without running npm;
 * concurrent installs of one list share a run. A package npm cannot find, or a bad version, is a
 * PLUGIN_LOAD_FAILED with npm's reason; an unreachable registry or an install past `timeoutMs` is
 * an UPSTREAM_ERROR saying so.
 *
 * @example
 * const folder = await installRequirements([{ spec: "ms@2", name: "ms" }], { cacheDir: "/data/plugin-deps" });
 */
export function installRequirements(requirements: readonly Requirement[], options: InstallRequirementsOptions): Promise<string> {
  const maxPackages = options.maxPackages ?? DEFAULT_MAX_PACKAGES;
  if (requirements.length > maxPackages) {
    return Promise.reject(
      new SluiceError("PLUGIN_LOAD_FAILED", `requirements: ${requirements.length} packages are listed; the limit is ${maxPackages}`),
    );
  }
  const folder = path.join(options.cacheDir, requirementsKey(requirements));
  if (existsSync(path.join(folder, COMPLETE_MARKER))) {
    markInstallUsed(folder);
    return Promise.resolve(folder);
  }
  let running = installing.get(folder);
  if (!running) {
    const queue = queueFor(options);
    if (queue.waiting >= (options.maxQueued ?? DEFAULT_MAX_QUEUED)) {
      return Promise.reject(
        new SluiceError("UNAVAILABLE", "Too many plugin requirements are being installed at once; try again in a minute"),
      );
    }
    running = queue
      .run(() => install(requirements, folder, options))
      .then(async (installed) => {
        await trimInstallCache(options.cacheDir, options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES, installed, (folder) =>
          installing.has(folder),
        );
        return installed;
      })
      .finally(() => installing.delete(folder));
    installing.set(folder, running);
  }
  return running;
}

/** Installs take turns: at most `concurrency` npm runs at once per cache folder. */
class InstallQueue {
  readonly #concurrency: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    try {
      return await work();
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }
}

const queues = new Map<string, InstallQueue>();

function queueFor(options: InstallRequirementsOptions): InstallQueue {
  let queue = queues.get(options.cacheDir);
  if (!queue) {
    queue = new InstallQueue(options.concurrency ?? DEFAULT_CONCURRENCY);
    queues.set(options.cacheDir, queue);
  }
  return queue;
}

async function install(requirements: readonly Requirement[], folder: string, options: InstallRequirementsOptions): Promise<string> {
  // Installed beside the final folder and renamed into place when complete: a crash or a failed
  // install never leaves a folder that looks usable.
  const staging = `${folder}.staging-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(path.join(staging, "package.json"), JSON.stringify({ name: "sluice-plugin-dependencies", private: true }));
    await runNpm(requirements, staging, options);
    await writeFile(path.join(staging, COMPLETE_MARKER), requirements.map((requirement) => requirement.spec).join("\n"));
    try {
      await rename(staging, folder);
    } catch (error) {
      // Another process finished the same list first: use its folder.
      if (!existsSync(path.join(folder, COMPLETE_MARKER))) throw error;
    }
    return folder;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function runNpm(requirements: readonly Requirement[], folder: string, options: InstallRequirementsOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const args = [
    "install",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    "--no-update-notifier",
    "--omit=dev",
    "--loglevel=error",
    "--fetch-retries=1",
    "--fetch-retry-mintimeout=1000",
    "--fetch-retry-maxtimeout=5000",
    `--fetch-timeout=${Math.min(timeoutMs, 30_000)}`,
    "--prefix",
    folder,
    ...requirements.map((requirement) => requirement.spec),
  ];
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && PASSED_ENVIRONMENT.test(name)) environment[name] = value;
  Object.assign(environment, options.environment);
  const specs = requirements.map((requirement) => requirement.spec).join(", ");
  return new Promise((resolve, reject) => {
    const child = spawn(options.npmCommand ?? "npm", args, { cwd: folder, env: environment, stdio: ["ignore", "ignore", "pipe"] });
    let errorOutput = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      if (errorOutput.length < 64_000) errorOutput += text;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new SluiceError("INTERNAL", `Could not run npm to install the plugin's requirements: ${error.message}`, { cause: error }));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      if (signal === "SIGKILL") {
        return reject(
          new SluiceError(
            "UPSTREAM_ERROR",
            `Installing the requirements (${specs}) took longer than ${Math.round(timeoutMs / 1000)} s; is the npm registry reachable?`,
          ),
        );
      }
      reject(npmFailure(errorOutput, specs));
    });
  });
}

/** npm's own reason, from its `npm error` lines (without the log-file hint). */
function npmFailure(errorOutput: string, specs: string): SluiceError {
  const lines = errorOutput
    .split("\n")
    .map((line) => line.replace(/^npm (error|ERR!)\s?/, "").trim())
    .filter((line) => line !== "" && !/complete log of this run|^code$/i.test(line) && !line.startsWith("A complete log"));
  const reason = lines.slice(0, 6).join("; ") || "npm failed without saying why";
  if (NETWORK_ERROR.test(errorOutput)) {
    return new SluiceError("UPSTREAM_ERROR", `Could not reach the npm registry to install the requirements (${specs}): ${reason}`);
  }
  return new SluiceError("PLUGIN_LOAD_FAILED", `Could not install the requirements (${specs}): ${reason}`);
}
