import { describe, expect, it } from "vitest";
import type { Folder } from "./chat-api.ts";
import { canMoveFolder, childFolders, folderPaths, pathLabel, subtreeIds } from "./folder-tree.ts";

function folder(id: string, name: string, parentId: string | null = null): Folder {
  return { id, name, parent_id: parentId, is_expanded: false, created_at: 0, updated_at: 0 };
}

// Projects ─ Garden ─ Bulbs; Work; "folder 10" after "folder 9"; Stray's parent is gone.
const folders = [
  folder("bulbs", "Bulbs", "garden"),
  folder("work", "work"),
  folder("garden", "Garden", "projects"),
  folder("f10", "folder 10"),
  folder("projects", "Projects"),
  folder("f9", "folder 9"),
  folder("stray", "Stray", "deleted"),
];

describe("folder tree", () => {
  it("lists a parent's folders by name, numbers by value and case ignored; orphans at the top", () => {
    expect(childFolders(folders, null).map((entry) => entry.id)).toEqual(["f9", "f10", "projects", "stray", "work"]);
    expect(childFolders(folders, "projects").map((entry) => entry.id)).toEqual(["garden"]);
    expect(childFolders(folders, "bulbs")).toEqual([]);
  });

  it("collects a folder and those under it", () => {
    expect([...subtreeIds(folders, "projects")].sort()).toEqual(["bulbs", "garden", "projects"]);
    expect([...subtreeIds(folders, "bulbs")]).toEqual(["bulbs"]);
  });

  it("never moves a folder into itself, below itself, or where it already is", () => {
    expect(canMoveFolder(folders, "projects", "projects")).toBe(false);
    expect(canMoveFolder(folders, "projects", "bulbs")).toBe(false);
    expect(canMoveFolder(folders, "garden", "projects")).toBe(false);
    expect(canMoveFolder(folders, "projects", null)).toBe(false);
    expect(canMoveFolder(folders, "bulbs", "projects")).toBe(true);
    expect(canMoveFolder(folders, "garden", null)).toBe(true);
    expect(canMoveFolder(folders, "work", "bulbs")).toBe(true);
    expect(canMoveFolder(folders, "unknown", null)).toBe(false);
  });

  it("walks the tree depth first with each folder's path", () => {
    expect(folderPaths(folders).map((entry) => pathLabel(entry.path))).toEqual([
      "folder 9",
      "folder 10",
      "Projects",
      "Projects / Garden",
      "Projects / Garden / Bulbs",
      "Stray",
      "work",
    ]);
  });
});
