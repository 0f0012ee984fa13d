import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { epochSeconds } from "./epoch-seconds.ts";
import type { Database, FolderTable } from "./schema.ts";

type Executor = Kysely<Database>;

/** A folder as Open WebUI's `/api/v1/folders/` returns it. */
export interface FolderRecord {
  id: string;
  parent_id: string | null;
  user_id: string;
  name: string;
  items: null;
  meta: Record<string, unknown> | null;
  data: Record<string, unknown> | null;
  is_expanded: boolean;
  created_at: number;
  updated_at: number;
}

function readJson(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function toFolder(row: Selectable<FolderTable>): FolderRecord {
  return { ...row, items: null, meta: readJson(row.meta), data: readJson(row.data), is_expanded: Boolean(row.is_expanded) };
}

/** A user's folders, by name. */
export async function listFolders(db: Executor, userId: string): Promise<FolderRecord[]> {
  const rows = await db.selectFrom("folder").selectAll().where("user_id", "=", userId).orderBy("name").orderBy("id").execute();
  return rows.map(toFolder);
}

/** A folder of this user; another user's folder is reported missing. */
export async function findFolder(db: Executor, userId: string, id: string): Promise<FolderRecord | undefined> {
  const row = await db.selectFrom("folder").selectAll().where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
  return row && toFolder(row);
}

/** The user's folder with this name under this parent (names are unique per parent, as in Open WebUI). */
export async function findFolderByName(
  db: Executor,
  userId: string,
  parentId: string | null,
  name: string,
): Promise<FolderRecord | undefined> {
  const folders = await db
    .selectFrom("folder")
    .selectAll()
    .where("user_id", "=", userId)
    .where((eb) => (parentId === null ? eb("parent_id", "is", null) : eb("parent_id", "=", parentId)))
    .execute();
  const row = folders.find((folder) => folder.name.toLowerCase() === name.toLowerCase());
  return row && toFolder(row);
}

export async function createFolder(
  db: Executor,
  input: {
    userId: string;
    name: string;
    parentId: string | null;
    meta?: Record<string, unknown> | null;
    data?: Record<string, unknown> | null;
  },
): Promise<FolderRecord> {
  const now = epochSeconds();
  const row = await db
    .insertInto("folder")
    .values({
      id: randomUUID(),
      user_id: input.userId,
      parent_id: input.parentId,
      name: input.name,
      meta: input.meta ? JSON.stringify(input.meta) : null,
      data: input.data ? JSON.stringify(input.data) : null,
      is_expanded: false,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toFolder(row);
}

/** Changes a user's folder: its name, parent or whether it is shown open. */
export async function updateFolder(
  db: Executor,
  userId: string,
  id: string,
  changes: { name?: string; parent_id?: string | null; is_expanded?: boolean },
): Promise<FolderRecord | undefined> {
  await db
    .updateTable("folder")
    .set({ ...changes, updated_at: epochSeconds() })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .execute();
  return findFolder(db, userId, id);
}

/** The ids of a user's folder and of every folder under it. */
export async function folderAndDescendantIds(db: Executor, userId: string, id: string): Promise<string[]> {
  const folders = await db.selectFrom("folder").select(["id", "parent_id"]).where("user_id", "=", userId).execute();
  const ids = [id];
  for (let index = 0; index < ids.length; index += 1) {
    for (const folder of folders) if (folder.parent_id === ids[index] && !ids.includes(folder.id)) ids.push(folder.id);
  }
  return ids;
}

/**
 * Deletes a user's folder and the folders under it. Their chats are deleted with them when
 * `deleteContents` (Open WebUI's default), else moved out of any folder.
 */
export async function deleteFolder(db: Executor, userId: string, id: string, deleteContents: boolean): Promise<string[]> {
  const ids = await folderAndDescendantIds(db, userId, id);
  return db.transaction().execute(async (transaction) => {
    const chats = await transaction.selectFrom("chat").select("id").where("user_id", "=", userId).where("folder_id", "in", ids).execute();
    if (deleteContents) await transaction.deleteFrom("chat").where("user_id", "=", userId).where("folder_id", "in", ids).execute();
    else
      await transaction.updateTable("chat").set({ folder_id: null }).where("user_id", "=", userId).where("folder_id", "in", ids).execute();
    await transaction.deleteFrom("folder").where("user_id", "=", userId).where("id", "in", ids).execute();
    return chats.map((chat) => chat.id);
  });
}
