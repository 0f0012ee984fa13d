import fs from "node:fs/promises";
import path from "node:path";

/** The OS user and group a trusted-tier process runs as. */
export interface ChildUser {
  uid: number;
  gid: number;
}

const SEARCH_BY_OTHERS = 0o001;

/** Whether `user` (no supplementary groups: Node drops them when it switches) may pass through `folder`. */
function isSearchable(stats: { uid: number; gid: number; mode: number }, user: ChildUser): boolean {
  if (stats.uid === user.uid) return (stats.mode & 0o100) !== 0;
  if (stats.gid === user.gid) return (stats.mode & 0o010) !== 0;
  return (stats.mode & SEARCH_BY_OTHERS) !== 0;
}

async function addSearchByOthers(folder: string): Promise<void> {
  const { mode } = await fs.stat(folder);
  if ((mode & SEARCH_BY_OTHERS) === 0) await fs.chmod(folder, (mode & 0o7777) | SEARCH_BY_OTHERS);
}

/** Hands `folder` and what is in it to `user`, without following links (a link could point at the server's files). */
async function giveTree(folder: string, user: ChildUser): Promise<void> {
  for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
    const entryPath = path.join(folder, entry.name);
    if (entry.isDirectory()) await giveTree(entryPath, user);
    else await fs.lchown(entryPath, user.uid, user.gid);
  }
  await fs.lchown(folder, user.uid, user.gid);
}

/**
 * Makes the files a trusted-tier (or Python-tier) process needs reachable by the OS user it runs
 * as, and no more: the folders from `/` to `<dataDir>/plugins/<id>` and to the entry script (when
 * one is given) must be searchable (`dataDir`, `plugins/`, `node-tier/` and the `searchable`
 * folders get the search bit for others, not the read bit: nobody else can list them); the entry
 * script readable; the plugin's folder owned by the user, mode 0700. A folder above `dataDir` that
 * the user cannot pass through is an error naming it.
 */
export async function prepareChildUser(options: {
  dataDir: string;
  folder: string;
  scriptPath?: string;
  searchable?: string[];
  user: ChildUser;
}): Promise<void> {
  const { user } = options;
  const dataDir = path.resolve(options.dataDir);
  for (let above = path.dirname(dataDir); ; above = path.dirname(above)) {
    if (!isSearchable(await fs.stat(above), user)) {
      throw new Error(
        `The trusted tier runs plugins as uid ${user.uid}, which cannot reach ${dataDir}: ${above} is not searchable by it (chmod o+x ${above}, move DATA_DIR, or set PLUGIN_NODE_TIER_UID)`,
      );
    }
    if (above === path.dirname(above)) break;
  }
  const searchable = [dataDir, path.dirname(options.folder), ...(options.searchable ?? [])];
  if (options.scriptPath) searchable.push(path.dirname(options.scriptPath));
  for (const folder of searchable) await addSearchByOthers(folder);
  if (options.scriptPath) await fs.chmod(options.scriptPath, 0o444);
  const stats = await fs.lstat(options.folder);
  if (stats.uid !== user.uid || stats.gid !== user.gid) await giveTree(options.folder, user);
  await fs.chmod(options.folder, 0o700);
}
