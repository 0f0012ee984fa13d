import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { ChildUser } from "../node-tier/prepare-child-user.ts";

/** The interpreter as find-python.ts saw it: where it is installed, so another OS user can run it. */
export interface PythonInstallation {
  /** `sys.executable`. */
  executable: string;
  /** `sys.prefix`. */
  prefix: string;
  /** `sys.base_prefix`: differs from `prefix` in a virtual environment. */
  basePrefix: string;
}

/** How to start one Python-tier process. */
export interface PythonLaunch {
  command: string;
  /** Arguments before the interpreter's own (`unshare`'s), ending with the interpreter. */
  args: string[];
  env: Record<string, string>;
  /** Opened by the server and passed as file descriptor 4: the installation, for a user who cannot reach its path. */
  installationPath?: string;
  /** True when the process gets a network namespace of its own (no interface but its own loopback). */
  hasOwnNetwork: boolean;
}

/** The descriptor number the installation folder gets in the child (after stdin, stdout, stderr and the message pipe). */
export const INSTALLATION_DESCRIPTOR = 4;

let unshareCheck: Promise<boolean> | undefined;

function runs(command: string, args: string[], options: { uid?: number; gid?: number } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(command, args, { env: {}, timeout: 10_000, ...options }, (error) => resolve(!error));
  });
}

/**
 * Whether `unshare --net` works here: util-linux's `unshare` is installed and the kernel lets this
 * server make a network namespace (root, or a user namespace where unprivileged ones are allowed).
 * Asked once per server process.
 */
function canUnshareNetwork(user: ChildUser | undefined): Promise<boolean> {
  unshareCheck ??= runs("unshare", [...unshareArgs(user), "--", "true"]);
  return unshareCheck;
}

/** `unshare` arguments for a new network namespace, switching to `user` inside it (root only). */
function unshareArgs(user: ChildUser | undefined): string[] {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) return ["--user", "--map-current-user", "--net"];
  return ["--net", ...(user ? ["--setgid", String(user.gid), "--setuid", String(user.uid)] : [])];
}

/** True when `user` (no supplementary groups) can pass through every folder above `target` and read it. */
function isReachableBy(target: string, user: ChildUser): boolean {
  const allows = (stats: fs.Stats, bits: { owner: number; group: number; other: number }) =>
    stats.uid === user.uid
      ? (stats.mode & bits.owner) !== 0
      : stats.gid === user.gid
        ? (stats.mode & bits.group) !== 0
        : (stats.mode & bits.other) !== 0;
  try {
    for (let folder = path.dirname(target); ; folder = path.dirname(folder)) {
      if (!allows(fs.statSync(folder), { owner: 0o100, group: 0o010, other: 0o001 })) return false;
      if (folder === path.dirname(folder)) break;
    }
    return allows(fs.statSync(target), { owner: 0o400, group: 0o040, other: 0o004 });
  } catch {
    return false;
  }
}

/**
 * How to start the interpreter for a plugin: in a network namespace of its own where `unshare`
 * can make one (its requests then go through the host, see sluice_network.py), as `user` when one
 * is given. An interpreter installed where `user` cannot pass (pyenv under /root) is run through a
 * descriptor of its installation folder that the server opens; its shared library is found there
 * too. Without `unshare`, the process shares the server's network (logged once).
 */
export async function pythonLaunch(installation: PythonInstallation, user: ChildUser | undefined, logger: Logger): Promise<PythonLaunch> {
  let executable = installation.executable;
  let installationPath: string | undefined;
  const env: Record<string, string> = {};
  const isVirtualEnvironment = path.resolve(installation.prefix) !== path.resolve(installation.basePrefix);
  if (user && !isReachableBy(executable, user) && !isVirtualEnvironment) {
    installationPath = path.resolve(installation.prefix);
    const through = `/proc/self/fd/${INSTALLATION_DESCRIPTOR}`;
    executable = path.join(through, path.relative(installationPath, fs.realpathSync(executable)));
    // A shared libpython is looked up by its absolute path (RPATH), which the user cannot reach.
    env.LD_LIBRARY_PATH = path.join(through, "lib");
  }
  if (await canUnshareNetwork(user)) {
    return { command: "unshare", args: [...unshareArgs(user), "--", executable], env, installationPath, hasOwnNetwork: true };
  }
  warnOnce(logger);
  return { command: executable, args: [], env, installationPath, hasOwnNetwork: false };
}

let hasWarned = false;

function warnOnce(logger: Logger): void {
  if (hasWarned) return;
  hasWarned = true;
  logger.warn(
    "Python plugins share this server's network: `unshare --net` is not available here (util-linux missing, or the kernel refuses network namespaces), " +
      "so a plugin can open connections itself, around the network policy its requests otherwise go through (docs/security.md)",
  );
}
