import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { z } from "zod";
import { epochSeconds } from "./epoch-seconds.ts";
import { parseJsonColumn } from "./json-column.ts";
import { type Permissions, permissionsSchema } from "./permissions.ts";
import type { Database, GroupTable } from "./schema.ts";

/** A group of users; its `permissions` are granted to every member. */
export interface Group {
  id: string;
  /** Who created it. */
  user_id: string;
  name: string;
  description: string;
  user_ids: string[];
  permissions: Permissions;
  created_at: number;
  updated_at: number;
}

export interface NewGroup {
  userId: string;
  name: string;
  description?: string;
  userIds?: string[];
  permissions?: Permissions;
}

export interface GroupChanges {
  name?: string;
  description?: string;
  userIds?: string[];
  permissions?: Permissions;
}

const userIdsSchema = z.array(z.string());

function toGroup(row: Selectable<GroupTable>): Group {
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    description: row.description,
    user_ids: parseJsonColumn(userIdsSchema, row.user_ids, []),
    permissions: parseJsonColumn(permissionsSchema, row.permissions, {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function createGroup(db: Kysely<Database>, input: NewGroup): Promise<Group> {
  const now = epochSeconds();
  const row = await db
    .insertInto("group")
    .values({
      id: randomUUID(),
      user_id: input.userId,
      name: input.name,
      description: input.description ?? "",
      user_ids: JSON.stringify([...new Set(input.userIds ?? [])]),
      permissions: JSON.stringify(input.permissions ?? {}),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toGroup(row);
}

export async function findGroupById(db: Kysely<Database>, id: string): Promise<Group | undefined> {
  const row = await db.selectFrom("group").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toGroup(row);
}

/** Every group, by name. */
export async function listGroups(db: Kysely<Database>): Promise<Group[]> {
  const rows = await db.selectFrom("group").selectAll().orderBy("name").orderBy("id").execute();
  return rows.map(toGroup);
}

/** The groups a user belongs to. */
export async function listGroupsOfUser(db: Kysely<Database>, userId: string): Promise<Group[]> {
  // The LIKE narrows the rows in SQL (ids are UUIDs, free of LIKE wildcards); the parse decides.
  const rows = await db
    .selectFrom("group")
    .selectAll()
    .where("user_ids", "like", `%${JSON.stringify(userId)}%`)
    .execute();
  return rows.map(toGroup).filter((group) => group.user_ids.includes(userId));
}

/** Applies the given changes; undefined when there is no group with this id. */
export async function updateGroup(db: Kysely<Database>, id: string, changes: GroupChanges): Promise<Group | undefined> {
  const row = await db
    .updateTable("group")
    .set({
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.description !== undefined && { description: changes.description }),
      ...(changes.userIds !== undefined && { user_ids: JSON.stringify([...new Set(changes.userIds)]) }),
      ...(changes.permissions !== undefined && { permissions: JSON.stringify(changes.permissions) }),
      updated_at: epochSeconds(),
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row && toGroup(row);
}

export async function deleteGroup(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("group").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
