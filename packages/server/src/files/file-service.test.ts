import fs from "node:fs/promises";
import path from "node:path";
import type { Kysely } from "kysely";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/helpers/test-database.ts";
import { createChat } from "../db/chats-repository.ts";
import { connectDatabase } from "../db/connect-database.ts";
import { findFileById } from "../db/files-repository.ts";
import { migrateToLatest } from "../db/migrations/migrate-to-latest.ts";
import type { Database } from "../db/schema.ts";
import { createUser } from "../db/users-repository.ts";
import { createFileService } from "./file-service.ts";
import type { FileStorage } from "./file-storage.ts";
import { FileStore, type FileReader } from "./file-store.ts";
import { createLocalFileStorage } from "./local-file-storage.ts";

const isCode = (code: string) => (error: unknown) => SluiceError.isInstance(error) && error.code === code;

describe.each(DATABASE_KINDS)("file service (%s)", (kind) => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let folder: string;
  let store: FileStore;
  let files: ReturnType<typeof createFileService>;
  let admin: FileReader;
  let alice: FileReader;
  let bob: FileReader;

  const newUser = async (name: string, role: FileReader["role"]): Promise<FileReader> => {
    const user = await createUser(db, { name, email: `${name}@example.com`, passwordHash: "x", role });
    return { id: user.id, role };
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = connectDatabase(database);
    await migrateToLatest(db);
    folder = path.join(database.dataDir, "uploads");
    store = new FileStore({ db, storage: createLocalFileStorage(folder), maxSizeMb: 1, logger: pino({ level: "silent" }) });
    files = createFileService(store);
    admin = await newUser("admin", "admin");
    alice = await newUser("alice", "user");
    bob = await newUser("bob", "user");
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it("creates a text file owned by the user and reads it back", async () => {
    const created = await files.create({ userId: alice.id, name: "notes.md", contentType: "text/markdown", data: "# Héllo" });
    expect(created).toEqual({ id: expect.any(String), name: "notes.md", url: `/api/v1/files/${created.id}/content` });
    expect(await findFileById(db, created.id)).toMatchObject({ user_id: alice.id, content_type: "text/markdown", size: 8 });
    const file = await files.read(created.id, { user: alice });
    expect(file).toMatchObject({ id: created.id, name: "notes.md", contentType: "text/markdown", size: 8 });
    expect(await file.text()).toBe("# Héllo");
  });

  it("keeps binary data intact, typed application/octet-stream unless told", async () => {
    const data = new Uint8Array(Array.from({ length: 256 }, (_, index) => index));
    const created = await files.create({ userId: alice.id, name: "all-bytes.bin", data });
    const file = await files.read(created.id, { user: alice });
    expect(file.contentType).toBe("application/octet-stream");
    const bytes = await file.bytes();
    expect(bytes).toEqual(data);
    // Each call gives the caller its own copy.
    bytes[0] = 99;
    expect((await file.bytes())[0]).toBe(0);
  });

  it("reads a file's bytes in parts, under the same rule as read", async () => {
    const created = await files.create({ userId: alice.id, name: "digits.txt", data: "0123456789" });
    const part = (offset: number, length: number) => files.readBytes(created.id, { user: alice }, { offset, length });
    expect(new TextDecoder().decode(await part(0, 4))).toBe("0123");
    expect(new TextDecoder().decode(await part(8, 4))).toBe("89");
    expect(await part(10, 4)).toEqual(new Uint8Array());
    await expect(files.readBytes(created.id, { user: bob }, { offset: 0, length: 4 })).rejects.toSatisfy(isCode("NOT_FOUND"));
  });

  it("refuses data past the cap, storing nothing", async () => {
    const before = await fs.readdir(folder);
    await expect(files.create({ userId: alice.id, name: "big.bin", data: new Uint8Array(1024 * 1024 + 1) })).rejects.toSatisfy(
      isCode("PAYLOAD_TOO_LARGE"),
    );
    expect(await fs.readdir(folder)).toEqual(before);
    await expect(files.create({ userId: alice.id, name: "odd", data: 42 as never })).rejects.toSatisfy(isCode("INVALID_INPUT"));
  });

  it("reads the user's own files and the request's files the user may read, nothing else", async () => {
    const alices = await files.create({ userId: alice.id, name: "a.txt", data: "alice" });
    const admins = await files.create({ userId: admin.id, name: "memo.txt", data: "from the admin" });
    // Another user's file, even named in the request: not found.
    await expect(files.read(alices.id, { user: bob })).rejects.toSatisfy(isCode("NOT_FOUND"));
    await expect(files.read(alices.id, { user: bob, requestFileIds: [alices.id] })).rejects.toSatisfy(isCode("NOT_FOUND"));
    // An admin's file named in the request but in none of bob's chats: not found.
    await expect(files.read(admins.id, { user: bob, requestFileIds: [admins.id] })).rejects.toSatisfy(isCode("NOT_FOUND"));
    await createChat(db, {
      userId: bob.id,
      chat: { title: "Memo", messages: [{ id: "m1", role: "assistant", content: "", files: [{ type: "file", id: admins.id }] }] },
    });
    expect(await (await files.read(admins.id, { user: bob, requestFileIds: [admins.id] })).text()).toBe("from the admin");
    // …and only when the request carries it.
    await expect(files.read(admins.id, { user: bob })).rejects.toSatisfy(isCode("NOT_FOUND"));
    // An admin's plugin sees other users' files only when its request carries them.
    await expect(files.read(alices.id, { user: admin })).rejects.toSatisfy(isCode("NOT_FOUND"));
    expect(await (await files.read(alices.id, { user: admin, requestFileIds: [alices.id] })).text()).toBe("alice");
    for (const id of ["nope", "00000000-0000-4000-8000-000000000000"]) {
      await expect(files.read(id, { user: alice, requestFileIds: [id] })).rejects.toSatisfy(isCode("NOT_FOUND"));
    }
  });
});

describe.each(DATABASE_KINDS)("file store consistency (%s)", (kind) => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let owner: FileReader;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = connectDatabase(database);
    await migrateToLatest(db);
    const user = await createUser(db, { name: "o", email: "o@example.com", passwordHash: "x", role: "user" });
    owner = { id: user.id, role: "user" };
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it("keeps no row when the bytes cannot be stored", async () => {
    const local = createLocalFileStorage(path.join(database.dataDir, "uploads-1"));
    const broken: FileStorage = { ...local, put: async () => Promise.reject(new Error("disk full")) };
    const store = new FileStore({ db, storage: broken, maxSizeMb: 1, logger: pino({ level: "silent" }) });
    await expect(store.save({ userId: owner.id, name: "x", contentType: "text/plain", source: [new Uint8Array(1)] })).rejects.toThrow(
      "disk full",
    );
    expect(await store.list(owner)).toEqual([]);
  });

  it("removes the row even when removing the bytes fails, so no row points at missing bytes", async () => {
    const folder = path.join(database.dataDir, "uploads-2");
    const local = createLocalFileStorage(folder);
    const warnings: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
    const store = new FileStore({ db, storage: { ...local, delete: async () => Promise.reject(new Error("busy")) }, maxSizeMb: 1, logger });
    const file = await store.save({ userId: owner.id, name: "x", contentType: "text/plain", source: [new Uint8Array(3)] });
    await store.delete(owner, file.id);
    expect(await findFileById(db, file.id)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/left without a row/)]);
  });
});
