import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/helpers/test-database.ts";
import { deleteApiKey, findApiKeyByHash, findApiKeyByUserId, replaceApiKey } from "./api-keys-repository.ts";
import { connectDatabase } from "./connect-database.ts";
import { getConfigValue, setConfigValue } from "./config-repository.ts";
import { createGroup, deleteGroup, listGroups, listGroupsOfUser, updateGroup } from "./groups-repository.ts";
import { migrateToLatest } from "./migrations/migrate-to-latest.ts";
import { permissionsSchema } from "./permissions.ts";
import type { Database } from "./schema.ts";
import {
  countUsers,
  createUser,
  deleteUser,
  findUserByEmail,
  findUserById,
  listUsers,
  updateUser,
  updateUserRole,
  updateUserSettings,
} from "./users-repository.ts";

describe.each(DATABASE_KINDS)("repositories (%s)", (kind) => {
  let database: TestDatabase;
  let db: Kysely<Database>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = connectDatabase(database);
    await migrateToLatest(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const newUser = (email: string) => ({
    name: email.split("@")[0],
    email,
    passwordHash: "hash",
    role: "pending" as const,
    isFirstUserAdmin: true,
  });

  it("migrates once: a second run applies nothing", async () => {
    expect(await migrateToLatest(db)).toEqual([]);
  });

  it("makes the first user admin and later ones the given role", async () => {
    const first = await createUser(db, newUser("first@example.com"));
    const second = await createUser(db, newUser("second@example.com"));
    expect(first.role).toBe("admin");
    expect(second.role).toBe("pending");
    expect(typeof first.created_at).toBe("number");
    expect(Math.abs(first.created_at - Date.now() / 1000)).toBeLessThan(60);
  });

  it("refuses a second account with the same email", async () => {
    await expect(createUser(db, newUser("first@example.com"))).rejects.toMatchObject({
      code: "ALREADY_EXISTS",
      message: "This email is already registered",
    });
  });

  it("finds, lists, counts and updates users", async () => {
    const user = await findUserByEmail(db, "second@example.com");
    expect(user?.password_hash).toBe("hash");
    expect((await findUserById(db, user!.id))?.email).toBe("second@example.com");
    expect((await listUsers(db)).map((listed) => listed.email).sort()).toEqual(["first@example.com", "second@example.com"]);
    expect(await countUsers(db)).toBe(2);
    expect(await countUsers(db, "admin")).toBe(1);
    expect((await updateUserRole(db, user!.id, "user"))?.role).toBe("user");
    expect((await updateUser(db, user!.id, { name: "Second" }))?.name).toBe("Second");
    await expect(updateUser(db, user!.id, { email: "first@example.com" })).rejects.toMatchObject({ code: "ALREADY_EXISTS" });
    expect(await updateUser(db, "missing", { name: "x" })).toBeUndefined();
  });

  it("updates settings JSON without losing concurrent edits", async () => {
    const user = (await findUserByEmail(db, "second@example.com"))!;
    await Promise.all(["a", "b", "c"].map((key) => updateUserSettings(db, user.id, (settings) => ({ ...settings, [key]: true }))));
    expect((await findUserById(db, user.id))?.settings).toEqual({ a: true, b: true, c: true });
  });

  it("stores one API key per user, found by its hash", async () => {
    const user = (await findUserByEmail(db, "second@example.com"))!;
    await replaceApiKey(db, user.id, { keyHash: "hash-1", keyHint: "1111" });
    await replaceApiKey(db, user.id, { keyHash: "hash-2", keyHint: "2222" });
    expect(await findApiKeyByHash(db, "hash-1")).toBeUndefined();
    expect((await findApiKeyByHash(db, "hash-2"))?.user_id).toBe(user.id);
    expect((await findApiKeyByUserId(db, user.id))?.key_hint).toBe("2222");
    expect(await deleteApiKey(db, user.id)).toBe(true);
    expect(await deleteApiKey(db, user.id)).toBe(false);
  });

  it("keeps groups with members and permissions", async () => {
    const admin = (await findUserByEmail(db, "first@example.com"))!;
    const member = (await findUserByEmail(db, "second@example.com"))!;
    const group = await createGroup(db, {
      userId: admin.id,
      name: "Builders",
      userIds: [member.id, member.id],
      permissions: { workspace: { tools: true } },
    });
    expect(group.user_ids).toEqual([member.id]);
    expect((await listGroupsOfUser(db, member.id)).map((found) => found.name)).toEqual(["Builders"]);
    expect(await listGroupsOfUser(db, admin.id)).toEqual([]);
    const updated = await updateGroup(db, group.id, { userIds: [admin.id], description: "makers" });
    expect(updated?.user_ids).toEqual([admin.id]);
    expect(updated?.permissions).toEqual({ workspace: { tools: true } });
    expect((await listGroups(db)).length).toBe(1);
    expect(await deleteGroup(db, group.id)).toBe(true);
    expect(await listGroups(db)).toEqual([]);
  });

  it("deletes a user with its API key and group memberships", async () => {
    const admin = (await findUserByEmail(db, "first@example.com"))!;
    const member = (await findUserByEmail(db, "second@example.com"))!;
    await replaceApiKey(db, member.id, { keyHash: "hash-3", keyHint: "3333" });
    const group = await createGroup(db, { userId: admin.id, name: "All", userIds: [admin.id, member.id] });
    expect(await deleteUser(db, member.id)).toBe(true);
    expect(await findUserById(db, member.id)).toBeUndefined();
    expect(await findApiKeyByHash(db, "hash-3")).toBeUndefined();
    expect((await listGroupsOfUser(db, admin.id))[0].user_ids).toEqual([admin.id]);
    await deleteGroup(db, group.id);
  });

  it("stores config values as JSON and replaces them", async () => {
    expect(await getConfigValue(db, "permissions.default", permissionsSchema, { workspace: { tools: false } })).toEqual({
      workspace: { tools: false },
    });
    await setConfigValue(db, "permissions.default", { workspace: { tools: true } });
    await setConfigValue(db, "permissions.default", { workspace: { tools: false, models: true } });
    expect(await getConfigValue(db, "permissions.default", permissionsSchema, {})).toEqual({ workspace: { tools: false, models: true } });
  });

  it("makes exactly one admin when the first sign-ups arrive together", async () => {
    const fresh = await createTestDatabase(kind);
    const freshDb = connectDatabase(fresh);
    try {
      await migrateToLatest(freshDb);
      // Open several pooled connections first, so the sign-ups really run side by side on PostgreSQL.
      await Promise.all([1, 2, 3, 4, 5].map(() => sql`select pg_sleep(0.05)`.execute(freshDb).catch(() => undefined)));
      const users = await Promise.all([1, 2, 3, 4, 5].map((index) => createUser(freshDb, newUser(`racer${index}@example.com`))));
      expect(users.filter((user) => user.role === "admin")).toHaveLength(1);
    } finally {
      await freshDb.destroy();
      await fresh.drop();
    }
  });

  it("reads booleans and epoch seconds back with their JavaScript types", async () => {
    const now = 1_700_000_000;
    await db
      .insertInto("function")
      .values({
        id: "f",
        user_id: "u",
        name: "F",
        type: "filter",
        content: "",
        meta: "{}",
        valves: "{}",
        is_active: true,
        is_global: false,
        content_hash: "h",
        load_error: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const active = await db.selectFrom("function").select(["is_active", "created_at"]).where("is_active", "=", true).executeTakeFirst();
    expect(Boolean(active?.is_active)).toBe(true);
    expect(active?.created_at).toBe(now);
  });
});
