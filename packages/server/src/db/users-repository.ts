import { randomUUID } from "node:crypto";
import { type Kysely, type Selectable, sql } from "kysely";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { databaseKind } from "./database-kind.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { parseJsonColumn } from "./json-column.ts";
import type { Database, UserTable } from "./schema.ts";

export type Role = UserTable["role"];

/**
 * A user's `settings` JSON: user valves per plugin (`functions.valves[id]`, `tools.valves[id]`),
 * the user's own `permissions`, and anything else a client stores there.
 */
export const userSettingsSchema = z.looseObject({}).catch({});

export type UserSettings = Record<string, unknown>;

/** A user as the application sees it; the password hash only comes with {@link findUserByEmail}. */
export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  settings: UserSettings;
  created_at: number;
  updated_at: number;
  last_active_at: number;
  /** Session tokens must carry this version; raised by every password change. */
  token_version: number;
  /** The avatar: a small `data:image/…` URL or a link; null = initials. */
  profile_image_url: string | null;
}

export interface UserWithPasswordHash extends User {
  password_hash: string;
}

export interface NewUser {
  name: string;
  /** Stored as given: normalise (trim, lower-case) before calling. */
  email: string;
  passwordHash: string;
  role: Role;
  /** When true and no user exists yet, the new user becomes `admin` whatever `role` says. */
  isFirstUserAdmin?: boolean;
  settings?: UserSettings;
}

const EMAIL_TAKEN = "This email is already registered";

function toUser(row: Selectable<UserTable>): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    settings: parseJsonColumn(userSettingsSchema, row.settings, {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_active_at: row.last_active_at,
    token_version: Number(row.token_version ?? 0),
    profile_image_url: row.profile_image_url ?? null,
  };
}

/**
 * Inserts a user. With `isFirstUserAdmin`, counting and inserting happen in one transaction
 * (the table locked on PostgreSQL), so two simultaneous first sign-ups cannot both become admin.
 * A taken email throws `ALREADY_EXISTS`.
 */
export async function createUser(db: Kysely<Database>, input: NewUser): Promise<User> {
  const now = epochSeconds();
  try {
    return await db.transaction().execute(async (transaction) => {
      let role = input.role;
      if (input.isFirstUserAdmin) {
        if (databaseKind(transaction) === "postgres") await sql`LOCK TABLE "user" IN SHARE ROW EXCLUSIVE MODE`.execute(transaction);
        if ((await countUsers(transaction)) === 0) role = "admin";
      }
      const row = await transaction
        .insertInto("user")
        .values({
          id: randomUUID(),
          name: input.name,
          email: input.email,
          role,
          password_hash: input.passwordHash,
          settings: JSON.stringify(input.settings ?? {}),
          created_at: now,
          updated_at: now,
          last_active_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new SluiceError("ALREADY_EXISTS", EMAIL_TAKEN, { cause: error });
    throw error;
  }
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  const row = await db.selectFrom("user").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toUser(row);
}

/** The user with this (normalised) email, with its password hash for sign-in. */
export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserWithPasswordHash | undefined> {
  const row = await db.selectFrom("user").selectAll().where("email", "=", email).executeTakeFirst();
  return row && { ...toUser(row), password_hash: row.password_hash };
}

/** Every user, oldest first. */
export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  const rows = await db.selectFrom("user").selectAll().orderBy("created_at").orderBy("id").execute();
  return rows.map(toUser);
}

export async function countUsers(db: Kysely<Database>, role?: Role): Promise<number> {
  let query = db.selectFrom("user").select((builder) => builder.fn.countAll<number>().as("count"));
  if (role) query = query.where("role", "=", role);
  const { count } = await query.executeTakeFirstOrThrow();
  return Number(count);
}

export interface UserChanges {
  name?: string;
  email?: string;
  role?: Role;
  /** A new password also raises the token version, ending every session signed before. */
  passwordHash?: string;
  lastActiveAt?: number;
  /** null removes the avatar. */
  profileImageUrl?: string | null;
}

/** Applies the given changes; returns the updated user, or undefined when there is none with this id. */
export async function updateUser(db: Kysely<Database>, id: string, changes: UserChanges): Promise<User | undefined> {
  try {
    const row = await db
      .updateTable("user")
      .set({
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.email !== undefined && { email: changes.email }),
        ...(changes.role !== undefined && { role: changes.role }),
        ...(changes.passwordHash !== undefined && { password_hash: changes.passwordHash, token_version: sql<number>`token_version + 1` }),
        ...(changes.lastActiveAt !== undefined && { last_active_at: changes.lastActiveAt }),
        ...(changes.profileImageUrl !== undefined && { profile_image_url: changes.profileImageUrl }),
        updated_at: epochSeconds(),
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    return row && toUser(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new SluiceError("ALREADY_EXISTS", EMAIL_TAKEN, { cause: error });
    throw error;
  }
}

export async function updateUserRole(db: Kysely<Database>, id: string, role: Role): Promise<User | undefined> {
  return updateUser(db, id, { role });
}

/**
 * Replaces a user's settings with what `update` makes of the current ones, atomically (the row
 * is locked on PostgreSQL), so concurrent edits of different user valves do not lose each other.
 */
export async function updateUserSettings(
  db: Kysely<Database>,
  id: string,
  update: (settings: UserSettings) => UserSettings,
): Promise<User | undefined> {
  return db.transaction().execute(async (transaction) => {
    let query = transaction.selectFrom("user").select("settings").where("id", "=", id);
    if (databaseKind(transaction) === "postgres") query = query.forUpdate();
    const current = await query.executeTakeFirst();
    if (!current) return undefined;
    const settings = update(parseJsonColumn(userSettingsSchema, current.settings, {}));
    const row = await transaction
      .updateTable("user")
      .set({ settings: JSON.stringify(settings), updated_at: epochSeconds() })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  });
}

/** Deletes a user (its API key goes with it) and removes it from every group. */
export async function deleteUser(db: Kysely<Database>, id: string): Promise<boolean> {
  return db.transaction().execute(async (transaction) => {
    const groups = await transaction
      .selectFrom("group")
      .select(["id", "user_ids"])
      .where("user_ids", "like", `%${JSON.stringify(id)}%`)
      .execute();
    for (const group of groups) {
      const userIds = parseJsonColumn(z.array(z.string()), group.user_ids, []).filter((userId) => userId !== id);
      await transaction
        .updateTable("group")
        .set({ user_ids: JSON.stringify(userIds), updated_at: epochSeconds() })
        .where("id", "=", group.id)
        .execute();
    }
    const result = await transaction.deleteFrom("user").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}
