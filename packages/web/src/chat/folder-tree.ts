import type { Folder } from "./chat-api.ts";

/** Names compared as Open WebUI's sidebar sorts them: numbers by value, case and accents ignored. */
const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/**
 * The folders directly under `parentId`, by name. The top level (`null`) also holds a folder whose
 * parent is not in the list, so no folder is ever out of sight.
 */
export function childFolders(folders: Folder[], parentId: string | null): Folder[] {
  const ids = new Set(folders.map((folder) => folder.id));
  const isChild = (folder: Folder) =>
    parentId === null ? folder.parent_id === null || !ids.has(folder.parent_id) : folder.parent_id === parentId;
  return folders.filter(isChild).sort((a, b) => byName.compare(a.name, b.name));
}

/** The ids of a folder and of every folder under it. */
export function subtreeIds(folders: Folder[], id: string): Set<string> {
  const ids = new Set([id]);
  for (const current of ids) {
    for (const folder of folders) if (folder.parent_id === current) ids.add(folder.id);
  }
  return ids;
}

/** Whether a folder can move under `parentId` (`null`: the top level): not where it is, nor into itself or a folder under it. */
export function canMoveFolder(folders: Folder[], id: string, parentId: string | null): boolean {
  const folder = folders.find((candidate) => candidate.id === id);
  if (!folder || (folder.parent_id ?? null) === parentId) return false;
  return parentId === null || !subtreeIds(folders, id).has(parentId);
}

/** Every folder in the sidebar's order (each followed by the folders under it), with the names from the top down to it. */
export function folderPaths(folders: Folder[]): { folder: Folder; path: string[] }[] {
  const paths: { folder: Folder; path: string[] }[] = [];
  const visit = (parentId: string | null, above: string[]) => {
    for (const folder of childFolders(folders, parentId)) {
      if (paths.some((entry) => entry.folder.id === folder.id)) continue;
      const path = [...above, folder.name];
      paths.push({ folder, path });
      visit(folder.id, path);
    }
  };
  visit(null, []);
  return paths;
}

/** A folder's path as menus show it: `Projects / Garden`. */
export function pathLabel(path: string[]): string {
  return path.join(" / ");
}
