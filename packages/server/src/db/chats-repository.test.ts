import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/helpers/test-database.ts";
import { chatDataSchema } from "./chat-data.ts";
import {
  createChat,
  deleteChat,
  findChat,
  findChatById,
  listChats,
  updateChat,
  updateChatMessage,
  updateChatTitle,
} from "./chats-repository.ts";
import { connectDatabase } from "./connect-database.ts";
import { migrateToLatest } from "./migrations/migrate-to-latest.ts";
import type { Database } from "./schema.ts";
import { createUser } from "./users-repository.ts";

describe.each(DATABASE_KINDS)("chats repository (%s)", (kind) => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = connectDatabase(database);
    await migrateToLatest(db);
    const newUser = (email: string) => ({ name: email, email, passwordHash: "hash", role: "user" as const });
    alice = (await createUser(db, newUser("alice@example.com"))).id;
    bob = (await createUser(db, newUser("bob@example.com"))).id;
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const chatOf = (value: unknown) => chatDataSchema.parse(value);

  it("creates, finds only for its owner, lists newest first and deletes", async () => {
    const first = await createChat(db, {
      userId: alice,
      chat: chatOf({
        title: "First",
        messages: [{ id: "m1", parentId: null, role: "user", content: "hi", model: null, usage: null, info: { x: 1 } }],
      }),
    });
    expect(first).toMatchObject({ user_id: alice, title: "First", archived: false });
    expect(first.chat.messages[0]).toEqual({
      id: "m1",
      parentId: null,
      role: "user",
      content: "hi",
      model: null,
      usage: null,
      info: { x: 1 },
    });
    const second = await createChat(db, { userId: alice, chat: chatOf({}) });
    expect(second.title).toBe("New Chat");
    await db
      .updateTable("chat")
      .set({ updated_at: first.updated_at + 10 })
      .where("id", "=", second.id)
      .execute();

    expect(await findChat(db, alice, first.id)).toEqual(first);
    expect(await findChat(db, bob, first.id)).toBeUndefined();
    expect((await findChatById(db, first.id))?.user_id).toBe(alice);
    expect((await listChats(db, alice)).map((chat) => chat.id)).toEqual([second.id, first.id]);
    expect(await listChats(db, bob)).toEqual([]);

    expect(await deleteChat(db, bob, first.id)).toBe(false);
    expect(await deleteChat(db, alice, first.id)).toBe(true);
    expect(await findChat(db, alice, first.id)).toBeUndefined();
  });

  it("merges named fields on update, renames with the title, keeps unknown keys", async () => {
    const created = await createChat(db, { userId: alice, chat: chatOf({ title: "Old", params: { temperature: 1 }, messages: [] }) });
    const updated = await updateChat(db, alice, created.id, { title: "New", tags: ["x"] });
    expect(updated).toMatchObject({ title: "New", chat: { title: "New", params: { temperature: 1 }, tags: ["x"], messages: [] } });
    expect(await updateChat(db, bob, created.id, { title: "Stolen" })).toBeUndefined();
    expect((await findChat(db, alice, created.id))?.title).toBe("New");
  });

  it("creates a missing message in messages and history, links it under its parent, and updates it in place", async () => {
    const user = { id: "u1", role: "user", content: "hi", childrenIds: [] };
    const created = await createChat(db, {
      userId: alice,
      chat: chatOf({ title: "Tree", messages: [user], history: { messages: { u1: user }, currentId: "u1" } }),
    });
    const stored = await updateChatMessage(db, created.id, "a1", (message) => ({
      ...(message ?? { id: "a1", role: "assistant", content: "" }),
      content: `${message?.content ?? ""}Hello`,
    }));
    expect(stored).toMatchObject({ id: "a1", role: "assistant", content: "Hello", parentId: "u1" });
    await updateChatMessage(db, created.id, "a1", (message) => ({ ...message!, content: `${message!.content} world` }));

    const { chat } = (await findChat(db, alice, created.id))!;
    expect(chat.messages.map((message) => [message.id, message.content])).toEqual([
      ["u1", "hi"],
      ["a1", "Hello world"],
    ]);
    expect(chat.history?.currentId).toBe("a1");
    expect(chat.history?.messages.a1.content).toBe("Hello world");
    expect(chat.history?.messages.u1.childrenIds).toEqual(["a1"]);
    expect(chat.messages[0].childrenIds).toEqual(["a1"]);
  });

  it("links a new message under the last one when the chat has no history, or under the parent it names", async () => {
    const created = await createChat(db, { userId: alice, chat: chatOf({ messages: [{ id: "u1", role: "user", content: "hi" }] }) });
    await updateChatMessage(db, created.id, "a1", () => ({ id: "a1", role: "assistant", content: "" }));
    await updateChatMessage(db, created.id, "a2", () => ({ id: "a2", role: "assistant", content: "", parentId: "u1" }));
    const { chat } = (await findChat(db, alice, created.id))!;
    expect(chat.messages.map((message) => [message.id, message.parentId ?? null, message.childrenIds ?? []])).toEqual([
      ["u1", null, ["a1", "a2"]],
      ["a1", "u1", []],
      ["a2", "u1", []],
    ]);
    expect(chat.history).toBeUndefined();
  });

  it("loses no change when many updates of one chat run at once", async () => {
    const created = await createChat(db, { userId: alice, chat: chatOf({ title: "Busy", history: { messages: {}, currentId: null } }) });
    const count = 40;
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        updateChatMessage(db, created.id, `m${index % 4}`, (message) => ({
          ...(message ?? { id: `m${index % 4}`, role: "assistant", content: "" }),
          statusHistory: [...(message?.statusHistory ?? []), { description: `step ${index}` }],
        })),
      ),
    );
    const { chat } = (await findChat(db, alice, created.id))!;
    expect(chat.messages).toHaveLength(4);
    const statuses = chat.messages.flatMap((message) => message.statusHistory ?? []);
    expect(statuses).toHaveLength(count);
    expect(Object.keys(chat.history!.messages).sort()).toEqual(["m0", "m1", "m2", "m3"]);
  });

  it("writes nothing when the update gives undefined, and refuses a message that does not parse", async () => {
    const created = await createChat(db, { userId: alice, chat: chatOf({ title: "Quiet" }) });
    expect(
      await updateChatMessage(db, created.id, "a1", (message) => (message ? { ...message, content: "x" } : undefined)),
    ).toBeUndefined();
    expect((await findChat(db, alice, created.id))?.chat.messages).toEqual([]);
    await expect(updateChatMessage(db, created.id, "a1", () => ({ id: "a1" }) as never)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("role"),
    });
  });

  it("renames a chat", async () => {
    const created = await createChat(db, { userId: alice, chat: chatOf({}) });
    expect(await updateChatTitle(db, alice, created.id, "🌊 Tides")).toMatchObject({ title: "🌊 Tides", chat: { title: "🌊 Tides" } });
    expect(await updateChatTitle(db, bob, created.id, "Nope")).toBeUndefined();
  });

  it("never stores temporary chats and ignores missing ones", async () => {
    const update = () => ({ id: "x", role: "assistant", content: "" });
    expect(await updateChatMessage(db, "local:abc", "x", update)).toBeUndefined();
    expect(await updateChatMessage(db, "no-such-chat", "x", update)).toBeUndefined();
    expect(await findChatById(db, "local:abc")).toBeUndefined();
  });

  it("refuses to rewrite a chat whose stored JSON is malformed, and still shows it", async () => {
    const created = await createChat(db, { userId: alice, chat: chatOf({ title: "Broken" }) });
    await db
      .updateTable("chat")
      .set({ chat: JSON.stringify({ title: "Broken", messages: [{ role: 5 }] }) })
      .where("id", "=", created.id)
      .execute();
    await expect(updateChatMessage(db, created.id, "a", () => ({ id: "a", role: "assistant", content: "" }))).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await findChat(db, alice, created.id))?.chat).toEqual({ title: "Broken", messages: [{ role: 5 }] });
  });

  it("deletes a user's chats with the user", async () => {
    const carol = (await createUser(db, { name: "carol", email: "carol@example.com", passwordHash: "hash", role: "user" })).id;
    const created = await createChat(db, { userId: carol, chat: chatOf({}) });
    await db.deleteFrom("user").where("id", "=", carol).execute();
    expect(await findChatById(db, created.id)).toBeUndefined();
  });
});
