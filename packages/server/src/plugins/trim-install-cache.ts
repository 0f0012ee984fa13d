import { readdir, rm, stat, utimes } from "node:fs/promises";
import path from "node:path";

/** The file a complete install folder holds (npm's and pip's): its time says when the folder was last used. */
export const COMPLETE_MARKER = ".sluice-complete";

/** Notes that an install folder was used now, so {@link trimInstallCache} keeps it longer. */
export function markInstallUsed(folder: string): void {
  const now = new Date();
  utimes(path.join(folder, COMPLETE_MARKER), now, now).catch(() => {});
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    total += (await stat(path.join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/**
 * Removes the least recently used complete install folders of `cacheDir` while it holds more than
 * `maxBytes` (`PLUGIN_DEPS_CACHE_MAX_MB`); never `keep` (the install just made) nor a folder
 * `isBusy` says is being installed. Staging folders (no marker) are not counted. A removed folder
 * is installed again when a plugin next needs it.
 *
 * @example
 * await trimInstallCache("/data/python-deps", 512 * 1024 * 1024, installed, (folder) => installing.has(folder));
 */
export async function trimInstallCache(
  cacheDir: string,
  maxBytes: number,
  keep: string,
  isBusy: (folder: string) => boolean,
): Promise<void> {
  const folders: Array<{ folder: string; bytes: number; usedAt: number }> = [];
  for (const name of await readdir(cacheDir).catch(() => [] as string[])) {
    const folder = path.join(cacheDir, name);
    const marker = await stat(path.join(folder, COMPLETE_MARKER)).catch(() => undefined);
    if (!marker) continue;
    folders.push({ folder, bytes: await folderBytes(folder), usedAt: marker.mtimeMs });
  }
  let total = folders.reduce((sum, entry) => sum + entry.bytes, 0);
  folders.sort((a, b) => a.usedAt - b.usedAt);
  for (const entry of folders) {
    if (total <= maxBytes) break;
    if (entry.folder === keep || isBusy(entry.folder)) continue;
    await rm(entry.folder, { recursive: true, force: true });
    total -= entry.bytes;
  }
}
