import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { SluiceError } from "@sluice/sdk";
import { COMPLETE_MARKER, markInstallUsed, trimInstallCache } from "../../plugins/trim-install-cache.ts";
import type { PythonInterpreter } from "./find-python.ts";

export interface PythonRequirementsOptions {
  /** Where installs are kept, one folder per requirement list (`<DATA_DIR>/python-deps`). */
  cacheDir: string;
  /** Longest one pip run may take before it is stopped (`PLUGIN_INSTALL_TIMEOUT_MS`). Default 120 s. */
  timeoutMs?: number;
  /** Most packages one plugin may list (`PLUGIN_REQUIREMENTS_MAX`). Default 16. */
  maxPackages?: number;
  /** The environment pip's settings come from (PIP_INDEX_URL, proxies…); default the server's. */
  environment?: NodeJS.ProcessEnv;
  /**
   * Size of `cacheDir` after an install, in bytes (`PLUGIN_DEPS_CACHE_MAX_MB`, as for npm's): past
   * it the least recently used install folders are removed (installed again when next needed). Default 512 MiB.
   */
  maxCacheBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_PACKAGES = 16;
const DEFAULT_MAX_CACHE_BYTES = 512 * 1024 * 1024;
// A package name with extras and at most one version clause: no pip options, paths or URLs.
const REQUIREMENT =
  /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._-]+(?:,[A-Za-z0-9._-]+)*\])?(?:\s*(?:===|==|>=|<=|~=|!=|>|<)\s*[A-Za-z0-9.*+!_-]+)?$/;
// What pip may see of the server's environment: where the index is and how to reach it, no secrets.
const PASSED_ENVIRONMENT = /^(PATH|HOME|TMPDIR|LANG|LC_\w+|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|(HTTPS?|NO)_PROXY|PIP_[A-Z_]+)$/i;
const UNREACHABLE =
  /NewConnectionError|Failed to establish a new connection|ConnectTimeout|Max retries exceeded|Name or service not known|Temporary failure in name resolution|ProxyError|Network is unreachable|Connection refused|SSLError/;
const installing = new Map<string, Promise<string>>();

/**
 * A plugin's `requirements:` line as Open WebUI reads it (comma-separated), each a package name
 * with an optional version clause; anything else (a URL, `git+…`, a pip option) is refused.
 */
export function parsePythonRequirements(line: string | undefined, maxPackages = DEFAULT_MAX_PACKAGES): string[] {
  const specs = (line ?? "")
    .split(",")
    .map((spec) => spec.trim())
    .filter((spec) => spec !== "");
  for (const spec of specs) {
    if (!REQUIREMENT.test(spec)) {
      throw new SluiceError(
        "PLUGIN_LOAD_FAILED",
        `requirements: ${JSON.stringify(spec.slice(0, 200))} is not a package name with an optional version (such as "requests>=2.31"); URLs and pip options are not accepted`,
      );
    }
  }
  if (specs.length > maxPackages) {
    throw new SluiceError("PLUGIN_LOAD_FAILED", `requirements: ${specs.length} packages are listed; the limit is ${maxPackages}`);
  }
  return specs;
}

/** The cache folder name: the same list in any order, for the same interpreter version, shares a folder. */
export function pythonRequirementsKey(specs: readonly string[], python: PythonInterpreter): string {
  const sorted = specs.map((spec) => spec.replace(/\s+/g, "").toLowerCase()).sort();
  const minor = python.version.split(".").slice(0, 2).join(".");
  return createHash("sha256")
    .update(`sluice-python-deps\0${minor}\0${sorted.join("\0")}`)
    .digest("hex")
    .slice(0, 32);
}

/**
 * Installs a Python plugin's requirements with `pip install --target` into
 * `<cacheDir>/<hash of the list>` and returns that folder (the plugin's process puts it on
 * `sys.path`). A folder installed before is reused without running pip; concurrent installs of one
 * list share a run; past `maxCacheBytes` the least recently used folders are removed. The install goes to a staging folder renamed into place when complete, so a
 * failure leaves nothing. An unreachable package index, or a run past `timeoutMs`, is an
 * UPSTREAM_ERROR saying so; a package pip cannot find or build is a PLUGIN_LOAD_FAILED with pip's reason.
 *
 * @example
 * const folder = await installPythonRequirements(["requests>=2"], python, { cacheDir: "/data/python-deps" });
 */
export function installPythonRequirements(
  specs: readonly string[],
  python: PythonInterpreter,
  options: PythonRequirementsOptions,
): Promise<string> {
  const folder = path.join(options.cacheDir, pythonRequirementsKey(specs, python));
  if (existsSync(path.join(folder, COMPLETE_MARKER))) {
    markInstallUsed(folder);
    return Promise.resolve(folder);
  }
  let running = installing.get(folder);
  if (!running) {
    running = install(specs, python, folder, options)
      .then(async (installed) => {
        const maxBytes = options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES;
        await trimInstallCache(options.cacheDir, maxBytes, installed, (other) => installing.has(other));
        return installed;
      })
      .finally(() => installing.delete(folder));
    installing.set(folder, running);
  }
  return running;
}

async function install(specs: readonly string[], python: PythonInterpreter, folder: string, options: PythonRequirementsOptions) {
  const staging = `${folder}.staging-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(staging, { recursive: true });
  try {
    await runPip(specs, python, staging, options);
    await writeFile(path.join(staging, COMPLETE_MARKER), specs.join("\n"));
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

function runPip(specs: readonly string[], python: PythonInterpreter, target: string, options: PythonRequirementsOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const args = [
    "-m",
    "pip",
    "install",
    "--target",
    target,
    "--disable-pip-version-check",
    "--no-input",
    "--no-cache-dir",
    "--retries",
    "1",
    "--timeout",
    String(Math.max(1, Math.min(15, Math.floor(timeoutMs / 4000)))),
    "--",
    ...specs,
  ];
  const environment = Object.fromEntries(
    Object.entries(options.environment ?? process.env).filter(([name, value]) => PASSED_ENVIRONMENT.test(name) && value !== undefined),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(python.executable, args, { env: environment, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (text: Buffer) => (output = (output + text.toString("utf8")).slice(-16_384));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let isTimedOut = false;
    const timer = setTimeout(() => {
      isTimedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new SluiceError("PLUGIN_LOAD_FAILED", `requirements: pip could not be started with ${python.executable}: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0 && !isTimedOut) return resolve();
      reject(pipFailure(specs, output, isTimedOut, timeoutMs));
    });
  });
}

function pipFailure(specs: readonly string[], output: string, isTimedOut: boolean, timeoutMs: number): SluiceError {
  const list = specs.join(", ");
  if (isTimedOut) {
    return new SluiceError(
      "UPSTREAM_ERROR",
      `requirements (${list}): pip did not finish within ${timeoutMs} ms (PLUGIN_INSTALL_TIMEOUT_MS)`,
    );
  }
  if (/No module named pip\b/.test(output)) {
    return new SluiceError(
      "PLUGIN_LOAD_FAILED",
      `requirements (${list}): the Python interpreter has no pip; install python3-pip for SLUICE_PYTHON`,
    );
  }
  if (UNREACHABLE.test(output)) {
    return new SluiceError(
      "UPSTREAM_ERROR",
      `requirements (${list}): the package index could not be reached (check the server's network, PIP_INDEX_URL or proxy); nothing was installed`,
    );
  }
  const missing = /No matching distribution found for (\S+)/.exec(output);
  if (missing) {
    return new SluiceError("PLUGIN_LOAD_FAILED", `requirements: no package matches ${missing[1]} on the package index`);
  }
  const lines = output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("note:") && !line.startsWith("hint:"));
  return new SluiceError("PLUGIN_LOAD_FAILED", `requirements (${list}): pip failed: ${lines.slice(-3).join(" ").slice(0, 600)}`);
}
