import { afterAll, beforeAll, expect, it } from "vitest";
import { createEventEmitter, type EventScope } from "../src/realtime/event-emitter.ts";
import { api } from "./helpers/api.ts";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { connectSocket, type ReceivedEnvelope, type TestSocket } from "./helpers/connect-socket.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { type InProcessServer, startInProcess } from "./helpers/start-in-process.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

const CALL_TIMEOUT_SECONDS = 0.5;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describeEachDatabase("event emitter", (kind) => {
  let database: TestDatabase;
  let sluice: InProcessServer;
  let alice: TestAccount;
  let bob: TestAccount;
  let aliceTab: TestSocket;
  let aliceOtherTab: TestSocket;
  let bobTab: TestSocket;
  let chatId: string;
  const sockets: TestSocket[] = [];

  const emitterFor = (scope: EventScope) => createEventEmitter(sluice.services, scope);
  const open = async (account: TestAccount) => {
    const tab = await connectSocket(sluice.url, account.token);
    sockets.push(tab);
    return tab;
  };
  const storedMessage = async (messageId: string) => {
    const { status, body } = await api(sluice.url, alice.token).get(`/api/v1/chats/${chatId}`);
    expect(status).toBe(200);
    return {
      message: body.chat.history.messages[messageId],
      inList: body.chat.messages.find((message: { id: string }) => message.id === messageId),
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    sluice = await startInProcess(database, { WEBSOCKET_EVENT_CALLER_TIMEOUT: String(CALL_TIMEOUT_SECONDS) });
    const admin = await signUpAdmin(sluice.url);
    alice = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
    [aliceTab, aliceOtherTab, bobTab] = [await open(alice), await open(alice), await open(bob)];
    const user = { id: "u1", role: "user", content: "Find me papers on tides", childrenIds: [] };
    const created = await api(sluice.url, alice.token).post("/api/v1/chats/new", {
      chat: { title: "Research", messages: [user], history: { messages: { u1: user }, currentId: "u1" } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    chatId = created.body.id;
  });

  afterAll(async () => {
    for (const tab of sockets) tab.close();
    await sluice?.close();
    await database?.drop();
  });

  it("delivers an emitted event to every tab of the user and to no one else", async () => {
    const events = emitterFor({ userId: alice.id, chatId: "c-elsewhere", messageId: "m-elsewhere" });
    await events.emit({ type: "notification", data: { type: "info", content: "Hello Alice" } });
    const expected: ReceivedEnvelope = {
      chat_id: "c-elsewhere",
      message_id: "m-elsewhere",
      data: { type: "notification", data: { type: "info", content: "Hello Alice" } },
    };
    expect(await aliceTab.next((envelope) => envelope.data.type === "notification")).toEqual(expected);
    expect(await aliceOtherTab.next((envelope) => envelope.data.type === "notification")).toEqual(expected);
    await emitterFor({ userId: bob.id }).emit({ type: "notification", data: { type: "info", content: "Hello Bob" } });
    expect(await bobTab.next()).toEqual({
      chat_id: null,
      message_id: null,
      data: { type: "notification", data: { type: "info", content: "Hello Bob" } },
    });
    await sleep(100);
    expect(bobTab.received.map((envelope) => envelope.data.data)).toEqual([{ type: "info", content: "Hello Bob" }]);
    expect(aliceTab.received.some((envelope) => JSON.stringify(envelope).includes("Hello Bob"))).toBe(false);
  });

  it("saves each persisted event type on the message (created if missing), readable through the chats API", async () => {
    const events = emitterFor({ userId: alice.id, chatId, messageId: "a1" });
    const citation = {
      source: { name: "Tides paper", url: "https://example.com/tides" },
      document: ["The Moon pulls"],
      metadata: [{ source: "https://example.com/tides" }],
    };
    await events.emit({ type: "status", data: { description: "Searching papers", done: false } });
    await events.emit({ type: "message", data: { content: "Tides come " } });
    await events.emit({ type: "message", data: { content: "from the Moon." } });
    await events.emit({ type: "status", data: { description: "Found 2 papers", done: true } });
    await events.emit({ type: "files", data: { files: [{ type: "image", url: "https://example.com/moon.png" }] } });
    await events.emit({ type: "chat:message:files", data: { files: [{ id: "f1", name: "tides.pdf" }] } });
    await events.emit({ type: "citation", data: citation });
    await events.emit({ type: "source", data: { ...citation, type: "code_execution", id: "x1" } });
    await events.emit({ type: "notification", data: { type: "success", content: "Done" } });
    await events.emit({ type: "chat:message:delta", data: { content: "not saved" } });

    const { message, inList } = await storedMessage("a1");
    expect(message).toMatchObject({
      id: "a1",
      role: "assistant",
      content: "Tides come from the Moon.",
      statusHistory: [
        { description: "Searching papers", done: false },
        { description: "Found 2 papers", done: true },
      ],
      files: [
        { id: "f1", name: "tides.pdf" },
        { type: "image", url: "https://example.com/moon.png" },
      ],
      sources: [citation],
    });
    expect(typeof message.timestamp).toBe("number");
    expect(inList).toEqual(message);

    await events.emit({ type: "replace", data: { content: "Replaced." } });
    expect((await storedMessage("a1")).message.content).toBe("Replaced.");
    expect(aliceTab.received.filter((envelope) => envelope.message_id === "a1").map((envelope) => envelope.data.type)).toEqual(
      expect.arrayContaining([
        "status",
        "message",
        "files",
        "chat:message:files",
        "citation",
        "source",
        "notification",
        "chat:message:delta",
        "replace",
      ]),
    );
  });

  it("keeps the order of events emitted without waiting for each", async () => {
    const events = emitterFor({ userId: alice.id, chatId, messageId: "a2" });
    await Promise.all(Array.from({ length: 20 }, (_, index) => events.emit({ type: "message", data: { content: `${index} ` } })));
    expect((await storedMessage("a2")).message.content).toBe(Array.from({ length: 20 }, (_, index) => `${index} `).join(""));
  });

  it("delivers but never stores events of temporary chats or of requests without a message", async () => {
    await emitterFor({ userId: alice.id, chatId: "local:tmp", messageId: "a3" }).emit({ type: "message", data: { content: "ephemeral" } });
    await emitterFor({ userId: alice.id, chatId }).emit({ type: "message", data: { content: "no message id" } });
    expect((await aliceTab.next((envelope) => envelope.chat_id === "local:tmp")).data.data).toEqual({ content: "ephemeral" });
    const { status, body } = await api(sluice.url, alice.token).get(`/api/v1/chats/${chatId}`);
    expect(status).toBe(200);
    expect(JSON.stringify(body)).not.toMatch(/ephemeral|no message id/);
  });

  it("refuses malformed and oversized events with a clear error, drops execute events, delivering nothing", async () => {
    const events = emitterFor({ userId: alice.id, chatId, messageId: "a1" });
    const before = aliceTab.received.length;
    await expect(events.emit({ type: "", data: {} })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("type"),
    });
    await expect(events.emit({ type: "message", data: { content: 42 } })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: 'Invalid "message" event: data.content: Invalid input: expected string, received number',
    });
    await expect(events.emit({ type: "notification", data: { content: "x".repeat(1024 * 1024) } })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: expect.stringMatching(/too large: \d+ bytes \(at most 1048576\)/),
    });
    await expect(events.emit({ type: "custom", data: { big: 10n } })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("cannot be sent"),
    });
    // Emitting is fire-and-forget: an execute event while those are off is dropped, not an error.
    await expect(events.emit({ type: "execute", data: { code: "alert(1)" } }, { pluginId: "runner" })).resolves.toBeUndefined();
    // A call waits for an answer, so it is refused clearly.
    const caller = emitterFor({ userId: alice.id, chatId, messageId: "a1", sessionId: aliceTab.socket.id });
    await expect(caller.call({ type: "execute", data: { code: "alert(1)" } })).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringContaining("PLUGIN_ALLOW_EXECUTE_EVENT"),
    });
    await sleep(100);
    expect(aliceTab.received.length).toBe(before);
    expect((await storedMessage("a1")).message.content).toBe("Replaced.");

    const permissive = createEventEmitter(
      { ...sluice.services, config: { ...sluice.services.config, allowExecuteEvent: true } },
      { userId: alice.id },
    );
    await permissive.emit({ type: "execute", data: { code: "1 + 1" } });
    expect((await aliceTab.next((envelope) => envelope.data.type === "execute")).data.data).toEqual({ code: "1 + 1" });
    await aliceOtherTab.next((envelope) => envelope.data.type === "execute");
  });

  it("calls the originating tab only and resolves with its answer", async () => {
    aliceTab.socket.once("events", (envelope: ReceivedEnvelope, acknowledge: (answer: unknown) => void) =>
      acknowledge({ confirmed: envelope.data.type }),
    );
    const events = emitterFor({ userId: alice.id, chatId, messageId: "a1", sessionId: aliceTab.socket.id });
    const answer = await events.call({ type: "confirmation", data: { title: "Delete?", message: "Sure?" } });
    expect(answer).toEqual({ confirmed: "confirmation" });
    expect(aliceTab.received.at(-1)).toEqual({
      chat_id: chatId,
      message_id: "a1",
      data: { type: "confirmation", data: { title: "Delete?", message: "Sure?" } },
    });
    await sleep(100);
    expect(aliceOtherTab.received.some((envelope) => envelope.data.type === "confirmation")).toBe(false);
    expect((await storedMessage("a1")).message.content).toBe("Replaced.");
  });

  it("rejects a call when the tab does not answer in time", async () => {
    const events = emitterFor({ userId: alice.id, sessionId: aliceOtherTab.socket.id });
    const started = Date.now();
    await expect(events.call({ type: "input", data: { title: "Name", message: "Your name?" } })).rejects.toMatchObject({
      code: "PLUGIN_TIMEOUT",
      message: 'The browser did not answer the "input" event within 0.5 s',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(CALL_TIMEOUT_SECONDS * 1000 - 50);
  });

  it("rejects a call at once without a session, for a session that is gone, or for another user's session", async () => {
    await expect(emitterFor({ userId: alice.id }).call({ type: "confirmation", data: {} })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: "No browser session: ctx.call needs a request with session_id",
    });
    await expect(
      emitterFor({ userId: alice.id, sessionId: bobTab.socket.id }).call({ type: "confirmation", data: {} }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const leaving = await open(alice);
    const sessionId = leaving.socket.id!;
    expect(await sluice.services.realtime.hasSession(sessionId)).toBe(true);
    expect(await sluice.services.realtime.sessionUserId(sessionId)).toBe(alice.id);
    leaving.close();
    await sleep(100);
    expect(await sluice.services.realtime.hasSession(sessionId)).toBe(false);
    const started = Date.now();
    await expect(emitterFor({ userId: alice.id, sessionId }).call({ type: "confirmation", data: {} })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `The browser session ${sessionId} is not connected`,
    });
    expect(Date.now() - started).toBeLessThan(CALL_TIMEOUT_SECONDS * 1000); // at once: a timeout would say "did not answer"
  });

  it("rejects a waiting call as soon as its tab disconnects", async () => {
    const leaving = await open(alice);
    leaving.socket.once("events", () => setTimeout(() => leaving.close(), 50));
    const started = Date.now();
    await expect(
      emitterFor({ userId: alice.id, sessionId: leaving.socket.id }).call({ type: "confirmation", data: {} }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("disconnected before answering"),
    });
    expect(Date.now() - started).toBeLessThan(CALL_TIMEOUT_SECONDS * 1000);
  });

  it("stops waiting when the request is cancelled, and tells subscribers when a session ends", async () => {
    const controller = new AbortController();
    const waiting = emitterFor({ userId: alice.id, sessionId: aliceOtherTab.socket.id, signal: controller.signal }).call({
      type: "confirmation",
      data: {},
    });
    setTimeout(() => controller.abort(new Error("client went away")), 50);
    await expect(waiting).rejects.toThrow("client went away");

    const leaving = await open(alice);
    const ended = new Promise<void>((resolve) => sluice.services.realtime.onSessionEnd(leaving.socket.id!, resolve));
    const unsubscribed = sluice.services.realtime.onSessionEnd(leaving.socket.id!, () => expect.unreachable("unsubscribed watcher ran"));
    unsubscribed();
    leaving.close();
    await ended;
  });
});
