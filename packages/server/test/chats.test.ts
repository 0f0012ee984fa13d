import { expect, it } from "vitest";
import { signUp, signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

describeEachDatabase("chats API", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let alice: TestAccount;
  let bob: TestAccount;
  let chatId: string;

  const firstChat = {
    title: "Tides",
    models: ["gpt-4o"],
    messages: [{ id: "u1", role: "user", content: "Why are there tides?", timestamp: 1_700_000_000 }],
    history: { messages: { u1: { id: "u1", role: "user", content: "Why are there tides?", childrenIds: [] } }, currentId: "u1" },
    tags: ["science"],
  };

  it("sets up an admin and two users", async () => {
    admin = await signUpAdmin(sluice.url);
    alice = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
  });

  it("creates a chat and returns the stored row, unknown keys kept", async () => {
    const created = await sluice.api.post("/api/v1/chats/new", { chat: firstChat }, alice.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ user_id: alice.id, title: "Tides", archived: false, chat: firstChat });
    expect(typeof created.body.id).toBe("string");
    expect(created.body.created_at).toBe(created.body.updated_at);
    chatId = created.body.id;

    const read = await sluice.api.get(`/api/v1/chats/${chatId}`, alice.token);
    expect(read.body).toEqual(created.body);
  });

  it("lists only the caller's chats, newest first, without bodies", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await sluice.api.post("/api/v1/chats/new", { chat: { title: "Second", messages: [] } }, alice.token);
    await sluice.api.post("/api/v1/chats/new", { chat: { messages: [] } }, bob.token);
    const list = await sluice.api.get("/api/v1/chats/", alice.token);
    expect(list.status).toBe(200);
    expect(list.body.map((chat: { id: string }) => chat.id)).toEqual([second.body.id, chatId]);
    expect(Object.keys(list.body[0]).sort()).toEqual(["created_at", "folder_id", "id", "pinned", "tags", "title", "updated_at"]);
    expect((await sluice.api.get("/api/v1/chats/?page=1", alice.token)).body).toHaveLength(2);
    expect((await sluice.api.get("/api/v1/chats/?page=2", alice.token)).body).toEqual([]);
    const bobs = await sluice.api.get("/api/v1/chats/", bob.token);
    expect(bobs.body.map((chat: { title: string }) => chat.title)).toEqual(["New Chat"]);
  });

  it("merges an update: named fields replace, others stay, the title renames the chat", async () => {
    const messages = [...firstChat.messages, { id: "a1", parentId: "u1", role: "assistant", content: "The Moon.", model: "gpt-4o" }];
    const updated = await sluice.api.post(`/api/v1/chats/${chatId}`, { chat: { title: "Moon and tides", messages } }, alice.token);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.title).toBe("Moon and tides");
    expect(updated.body.chat).toMatchObject({ title: "Moon and tides", messages, tags: ["science"], history: firstChat.history });
    expect(updated.body.updated_at).toBeGreaterThanOrEqual(updated.body.created_at);
    const listed = (await sluice.api.get("/api/v1/chats/", alice.token)).body.find((chat: { id: string }) => chat.id === chatId);
    expect(listed).toMatchObject({ title: "Moon and tides", updated_at: updated.body.updated_at });
  });

  it("hides another user's chat: read, update and delete are 404", async () => {
    expectError(await sluice.api.get(`/api/v1/chats/${chatId}`, bob.token), 404, "Chat not found");
    expectError(await sluice.api.post(`/api/v1/chats/${chatId}`, { chat: { title: "Mine now" } }, bob.token), 404);
    expectError(await sluice.api.delete(`/api/v1/chats/${chatId}`, bob.token), 404);
    expectError(await sluice.api.get(`/api/v1/chats/${chatId}`, admin.token), 404);
    expect((await sluice.api.get(`/api/v1/chats/${chatId}`, alice.token)).body.title).toBe("Moon and tides");
  });

  it("refuses bad bodies with a 400 that names the field", async () => {
    expectError(await sluice.api.post("/api/v1/chats/new", {}, alice.token), 400, "chat");
    expectError(await sluice.api.post("/api/v1/chats/new", { chat: "hello" }, alice.token), 400, "chat");
    expectError(
      await sluice.api.post("/api/v1/chats/new", { chat: { messages: [{ id: "m", content: "no role" }] } }, alice.token),
      400,
      "chat.messages.0.role",
    );
    expectError(await sluice.api.post("/api/v1/chats/new", { chat: { title: 5 } }, alice.token), 400, "chat.title");
    expectError(await sluice.api.post(`/api/v1/chats/${chatId}`, { chat: { messages: "none" } }, alice.token), 400, "chat.messages");
    expectError(await sluice.api.request("POST", "/api/v1/chats/new", { rawBody: "{oops", token: alice.token }), 400, "not valid JSON");
  });

  it("needs a verified account", async () => {
    expectError(await sluice.api.get("/api/v1/chats/"), 401);
    const pending = await signUp(sluice.url);
    expectError(await sluice.api.post("/api/v1/chats/new", { chat: { title: "x" } }, pending.token), 403);
  });

  it("archives (hidden from the list) and unarchives", async () => {
    const archived = await sluice.api.post(`/api/v1/chats/${chatId}/archive`, undefined, alice.token);
    expect(archived.body.archived).toBe(true);
    expect((await sluice.api.get("/api/v1/chats/", alice.token)).body.map((chat: { id: string }) => chat.id)).not.toContain(chatId);
    expect((await sluice.api.post(`/api/v1/chats/${chatId}/archive`, undefined, alice.token)).body.archived).toBe(false);
  });

  it("treats temporary local: chats as missing", async () => {
    expectError(await sluice.api.get("/api/v1/chats/local:abc", alice.token), 404);
  });

  it("deletes a chat", async () => {
    const deleted = await sluice.api.delete(`/api/v1/chats/${chatId}`, alice.token);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toBe(true);
    expectError(await sluice.api.get(`/api/v1/chats/${chatId}`, alice.token), 404);
    expectError(await sluice.api.delete(`/api/v1/chats/${chatId}`, alice.token), 404);
  });
});
