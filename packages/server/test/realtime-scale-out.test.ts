import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventEmitter } from "../src/realtime/event-emitter.ts";
import { api } from "./helpers/api.ts";
import { createApiKey, signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { connectSocket, refusedConnection, type ReceivedEnvelope, type TestSocket } from "./helpers/connect-socket.ts";
import { type InProcessServer, startInProcess } from "./helpers/start-in-process.ts";
import { startServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

/** Where the test Redis is; `SLUICE_TEST_REDIS_URL` overrides. */
const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const CALL_TIMEOUT_SECONDS = 1;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** A prefix of its own, so instances of other test files sharing this Redis never see these. */
function redisEnvironment(): Record<string, string> {
  return { REDIS_URL, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}` };
}

describe("realtime across two instances sharing PostgreSQL and Redis", () => {
  let database: TestDatabase;
  let first: InProcessServer;
  let second: InProcessServer;
  let alice: TestAccount;
  let bob: TestAccount;
  let chatId: string;
  const sockets: TestSocket[] = [];

  const openWith = async (server: InProcessServer, token: string) => {
    const tab = await connectSocket(server.url, token);
    sockets.push(tab);
    return tab;
  };
  const open = (server: InProcessServer, account: TestAccount) => openWith(server, account.token);

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    const env = { ...redisEnvironment(), WEBSOCKET_EVENT_CALLER_TIMEOUT: String(CALL_TIMEOUT_SECONDS) };
    first = await startInProcess(database, env);
    second = await startInProcess(database, env);
    const admin = await signUpAdmin(first.url);
    alice = await signUpUser(first.url, admin);
    bob = await signUpUser(second.url, admin);
    const created = await api(first.url, alice.token).post("/api/v1/chats/new", { chat: { title: "Shared", messages: [] } });
    chatId = created.body.id;
  });

  afterAll(async () => {
    for (const tab of sockets) tab.close();
    await first?.close();
    await second?.close();
    await database?.drop();
  });

  it("delivers an event emitted on one instance to the user's tabs on both, and to no one else", async () => {
    const [onFirst, onSecond, bobOnSecond] = [await open(first, alice), await open(second, alice), await open(second, bob)];
    await createEventEmitter(first.services, { userId: alice.id, chatId, messageId: "a1" }).emit({
      type: "status",
      data: { description: "Working" },
    });
    const expected: ReceivedEnvelope = { chat_id: chatId, message_id: "a1", data: { type: "status", data: { description: "Working" } } };
    expect(await onFirst.next()).toEqual(expected);
    expect(await onSecond.next()).toEqual(expected);
    await sleep(100);
    expect(bobOnSecond.received).toEqual([]);
    const stored = await api(second.url, alice.token).get(`/api/v1/chats/${chatId}`);
    expect(stored.body.chat.messages).toEqual([expect.objectContaining({ id: "a1", statusHistory: [{ description: "Working" }] })]);
  });

  it("finds a session connected to the other instance", async () => {
    const tab = await open(second, alice);
    expect(await first.services.realtime.hasSession(tab.socket.id!)).toBe(true);
    expect(await first.services.realtime.sessionUserId(tab.socket.id!)).toBe(alice.id);
    expect(await first.services.realtime.hasSession("no-such-session")).toBe(false);
  });

  it("calls a tab connected to the other instance and resolves with its answer", async () => {
    const tab = await open(second, alice);
    tab.socket.on("events", (envelope: ReceivedEnvelope, acknowledge: (answer: unknown) => void) =>
      acknowledge(`answer to ${envelope.data.type}`),
    );
    const events = createEventEmitter(first.services, { userId: alice.id, chatId, messageId: "a1", sessionId: tab.socket.id });
    expect(await events.call({ type: "input", data: { title: "Name", message: "Your name?" } })).toBe("answer to input");
  });

  it("rejects a call to the other instance's tab that does not answer in time", async () => {
    const tab = await open(second, alice);
    const started = Date.now();
    await expect(
      createEventEmitter(first.services, { userId: alice.id, sessionId: tab.socket.id }).call({ type: "confirmation", data: {} }),
    ).rejects.toMatchObject({
      code: "PLUGIN_TIMEOUT",
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(CALL_TIMEOUT_SECONDS * 1000 - 50);
  });

  it("rejects a waiting call as soon as the tab leaves the other instance", async () => {
    const tab = await open(second, alice);
    tab.socket.once("events", () => setTimeout(() => tab.close(), 50));
    const started = Date.now();
    await expect(
      createEventEmitter(first.services, { userId: alice.id, sessionId: tab.socket.id }).call({ type: "confirmation", data: {} }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("disconnected before answering"),
    });
    expect(Date.now() - started).toBeLessThan(CALL_TIMEOUT_SECONDS * 1000);
  });

  it("rejects at once a call to a session that is gone, or that belongs to another user", async () => {
    const tab = await open(second, alice);
    const sessionId = tab.socket.id!;
    const ended = new Promise<void>((resolve) => first.services.realtime.onSessionEnd(sessionId, resolve));
    tab.close();
    await ended;
    const started = Date.now();
    await expect(
      createEventEmitter(first.services, { userId: alice.id, sessionId }).call({ type: "confirmation", data: {} }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `The browser session ${sessionId} is not connected`,
    });
    expect(Date.now() - started).toBeLessThan(500);

    const bobTab = await open(second, bob);
    await expect(
      createEventEmitter(first.services, { userId: alice.id, sessionId: bobTab.socket.id }).call({ type: "confirmation", data: {} }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("closes the sockets a password change or a revoked API key signs out, on both instances, and keeps the others", async () => {
    // Resolves with the reason the server gave when it closes the socket.
    const disconnected = (tab: TestSocket) => new Promise<string>((resolve) => tab.socket.once("disconnect", resolve));
    const apiKey = await createApiKey(first.url, bob);
    const [oldOnFirst, oldOnSecond, keyOnSecond] = [await open(first, bob), await open(second, bob), await openWith(second, apiKey)];
    const [oldOnFirstClosed, oldOnSecondClosed, keyOnSecondClosed] = [oldOnFirst, oldOnSecond, keyOnSecond].map(disconnected);
    const aliceTab = await open(second, alice);

    const changed = await api(first.url, bob.token).post("/api/v1/auths/update/password", {
      password: bob.password,
      new_password: "bob's brand new password",
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(await oldOnFirstClosed).toBe("io server disconnect");
    expect(await oldOnSecondClosed).toBe("io server disconnect");
    // An API key is a credential of its own: a password change leaves it, as it leaves HTTP requests with it.
    expect(keyOnSecond.socket.connected).toBe(true);
    expect(aliceTab.socket.connected).toBe(true);

    bob.password = "bob's brand new password";
    const signedIn = await api(first.url).post("/api/v1/auths/signin", { email: bob.email, password: bob.password });
    bob.token = signedIn.body.token;
    const newTab = await open(second, bob);
    expect((await api(first.url, bob.token).request("DELETE", "/api/v1/auths/api_key")).status).toBe(200);
    expect(await keyOnSecondClosed).toBe("io server disconnect");
    expect(newTab.socket.connected).toBe(true);
    // Events for bob still reach the tab that signed in again.
    await createEventEmitter(first.services, { userId: bob.id }).emit({ type: "status", data: { description: "Still here" } });
    expect((await newTab.next((envelope) => envelope.data.type === "status")).data).toMatchObject({ data: { description: "Still here" } });
  });
});

describe("server processes with REDIS_URL", () => {
  it("start, accept sockets and share users through PostgreSQL", async () => {
    const database = await createTestDatabase("postgres");
    const env = redisEnvironment();
    const servers = [await startServer({ kind: "postgres", database, env }), await startServer({ kind: "postgres", database, env })];
    try {
      const admin = await signUpAdmin(servers[0].url);
      const tab = await connectSocket(servers[1].url, admin.token);
      expect(tab.socket.connected).toBe(true);
      tab.close();
    } finally {
      for (const server of servers) await server.stop();
      await database.drop();
    }
  });

  it("refuses to start when Redis cannot be reached, saying where", async () => {
    await expect(startServer({ kind: "sqlite", env: { REDIS_URL: "redis://:hunter2@127.0.0.1:1" } })).rejects.toThrow(
      /Sluice: Cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1.*ECONNREFUSED/,
    );
  });

  it("refuses sockets without credentials with Redis too", async () => {
    const server = await startServer({ kind: "sqlite", env: redisEnvironment() });
    try {
      expect(await refusedConnection(server.url)).toMatch(/Not authenticated/);
    } finally {
      await server.stop();
    }
  });
});
