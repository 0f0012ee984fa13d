import type { Kysely } from "kysely";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/helpers/test-database.ts";
import { chatDataSchema } from "../db/chat-data.ts";
import { createChat, findChat } from "../db/chats-repository.ts";
import { connectDatabase } from "../db/connect-database.ts";
import { migrateToLatest } from "../db/migrations/migrate-to-latest.ts";
import type { Database } from "../db/schema.ts";
import { createUser } from "../db/users-repository.ts";
import { AnswersInProgress, INTERRUPTED_ANSWER_ERROR } from "./answers-in-progress.ts";

describe.each(DATABASE_KINDS)("answers in progress (%s)", (kind) => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let alice: string;
  let bob: string;
  const instances: AnswersInProgress[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = connectDatabase(database);
    await migrateToLatest(db);
    const newUser = (email: string) => ({ name: email, email, passwordHash: "hash", role: "user" as const });
    alice = (await createUser(db, newUser("alice@example.com"))).id;
    bob = (await createUser(db, newUser("bob@example.com"))).id;
  });

  afterAll(async () => {
    for (const instance of instances) instance.stop();
    await db?.destroy();
    await database?.drop();
  });

  const instance = (instanceId: string, heartbeatMs = 60_000) => {
    const created = new AnswersInProgress({ db, logger: pino({ level: "silent" }), instanceId, heartbeatMs, staleMs: 2 * heartbeatMs });
    instances.push(created);
    return created;
  };

  /** A chat whose last message is an answer being written, as the web page saves it. */
  const chatWithAnswer = async (userId: string, answer: Record<string, unknown> = {}) => {
    const message = { id: "answer", role: "assistant", content: "So far", done: false, ...answer };
    return (
      await createChat(db, {
        userId,
        chat: chatDataSchema.parse({ messages: [message], history: { messages: { answer: message }, currentId: "answer" } }),
      })
    ).id;
  };
  const storedAnswer = async (userId: string, chatId: string) => (await findChat(db, userId, chatId))?.chat.history?.messages.answer;
  const recordCount = async () =>
    Number(
      (
        await db
          .selectFrom("answer_in_progress")
          .select((eb) => eb.fn.countAll().as("count"))
          .executeTakeFirstOrThrow()
      ).count,
    );
  /** Makes every record look as if its instance stopped refreshing it long ago. */
  const ageRecords = () => db.updateTable("answer_in_progress").set({ heartbeat_at_ms: 0 }).execute();

  it("forgets an answer when it ends", async () => {
    const chatId = await chatWithAnswer(alice);
    const end = await instance("a").begin({ chatId, messageId: "answer", userId: alice });
    expect(await recordCount()).toBe(1);
    await end();
    expect(await recordCount()).toBe(0);
  });

  it("marks a stale answer once when two instances sweep at once, keeping its content", async () => {
    const chatId = await chatWithAnswer(alice);
    await instance("gone").begin({ chatId, messageId: "answer", userId: alice });
    await ageRecords();
    await Promise.all([instance("b").start(), instance("c").start()]);
    expect(await storedAnswer(alice, chatId)).toMatchObject({
      content: "So far",
      done: true,
      error: { content: INTERRUPTED_ANSWER_ERROR },
    });
    expect(await recordCount()).toBe(0);
  });

  it("leaves an answer that finished before the sweep as it is", async () => {
    const chatId = await chatWithAnswer(alice, { content: "All of it", done: true });
    await instance("gone").begin({ chatId, messageId: "answer", userId: alice });
    await ageRecords();
    await instance("d").start();
    const answer = await storedAnswer(alice, chatId);
    expect(answer).toMatchObject({ content: "All of it", done: true });
    expect(answer?.error).toBeUndefined();
    expect(await recordCount()).toBe(0);
  });

  it("leaves the answers of a live instance alone, and marks its own at a graceful stop", async () => {
    const chatId = await chatWithAnswer(alice);
    const live = instance("live", 50);
    await live.start();
    await live.begin({ chatId, messageId: "answer", userId: alice });
    const watcher = instance("watcher", 50);
    await watcher.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await storedAnswer(alice, chatId)).toMatchObject({ done: false });
    expect(await recordCount()).toBe(1);

    watcher.stop();
    await live.interruptOwn();
    expect(await storedAnswer(alice, chatId)).toMatchObject({
      content: "So far",
      done: true,
      error: { content: INTERRUPTED_ANSWER_ERROR },
    });
    expect(await recordCount()).toBe(0);
  });

  it("marks at start-up what an earlier life of its instance id left, however fresh", async () => {
    const chatId = await chatWithAnswer(alice);
    await instance("stable").begin({ chatId, messageId: "answer", userId: alice });
    await instance("stable").start();
    expect(await storedAnswer(alice, chatId)).toMatchObject({ done: true, error: { content: INTERRUPTED_ANSWER_ERROR } });
  });

  it("does not touch a chat of another user than the one who asked", async () => {
    const chatId = await chatWithAnswer(bob);
    await instance("gone").begin({ chatId, messageId: "answer", userId: alice });
    await ageRecords();
    await instance("e").start();
    expect(await storedAnswer(bob, chatId)).toMatchObject({ done: false });
    expect((await storedAnswer(bob, chatId))?.error).toBeUndefined();
    expect(await recordCount()).toBe(0);
  });
});
