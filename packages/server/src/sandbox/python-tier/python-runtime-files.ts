import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SluiceError } from "@sluice/sdk";

/** The runtime as shipped: sluice_runtime.py, the open_webui shims and the fastapi/starlette fallbacks. */
export const PYTHON_RUNTIME_SOURCE = fileURLToPath(new URL("./runtime/", import.meta.url));

const written = new Map<string, Promise<string>>();

/** Every file under `folder`, as [path relative to it, contents], sorted by path. */
async function readTree(folder: string): Promise<Array<[string, Buffer]>> {
  const files: Array<[string, Buffer]> = [];
  for (const entry of await fs.readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith(".pyc")) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    files.push([path.relative(folder, absolute), await fs.readFile(absolute)]);
  }
  return files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

async function copyRuntime(folder: string): Promise<string> {
  const files = await readTree(PYTHON_RUNTIME_SOURCE);
  const hash = createHash("sha256");
  for (const [name, contents] of files) hash.update(name).update("\0").update(contents).update("\0");
  const target = path.join(folder, `runtime-${hash.digest("hex").slice(0, 16)}`);
  const script = path.join(target, "sluice_runtime.py");
  try {
    await fs.access(script);
    return script;
  } catch {
    // Not copied yet.
  }
  await fs.mkdir(folder, { recursive: true, mode: 0o711 });
  const staging = `${target}.${process.pid}.tmp`;
  await fs.rm(staging, { recursive: true, force: true });
  for (const [name, contents] of files) {
    // Folders readable (Python lists them to import), files read-only: the plugin's user cannot change its runtime.
    await fs.mkdir(path.join(staging, path.dirname(name)), { recursive: true, mode: 0o755 });
    await fs.writeFile(path.join(staging, name), contents, { mode: 0o444 });
  }
  try {
    await fs.rename(staging, target);
  } catch (error) {
    // Another server process copied the same runtime first.
    await fs.rm(staging, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code !== "ENOTEMPTY" && (error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return script;
}

/**
 * The Python tier's runtime copied to `<dataDir>/python-tier/runtime-<hash>/`, once per server
 * process, and the path of its `sluice_runtime.py`. A plugin's process runs it from there, not
 * from the source tree: a server installed under /root (mode 0700) keeps its sources from the
 * plugin's OS user (`PLUGIN_NODE_TIER_UID`), who can read this copy and cannot change it. A new
 * version of the runtime gets a new folder (its hash), staged then renamed.
 */
export function pythonRuntimePath(dataDir: string): Promise<string> {
  const folder = path.resolve(dataDir, "python-tier");
  let pending = written.get(folder);
  if (!pending) {
    pending = copyRuntime(folder).catch((error: unknown) => {
      written.delete(folder);
      throw new SluiceError("INTERNAL", `Could not prepare the Python tier's runtime in ${folder}: ${(error as Error).message}`, {
        cause: error,
      });
    });
    written.set(folder, pending);
  }
  return pending;
}
