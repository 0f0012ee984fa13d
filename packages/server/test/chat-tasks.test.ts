import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

describeEachDatabase("answers in progress (/api/tasks)", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { ENABLE_TITLE_GENERATION: "false" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let user: TestAccount;
  let other: TestAccount;

  const newChat = async (account: TestAccount) => {
    const created = await sluice.api.post(
      "/api/v1/chats/new",
      { chat: { title: "New Chat", messages: [{ id: "u1", role: "user", content: "slow please" }] } },
      account.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return created.body.id as string;
  };
  const tasksOf = (chatId: string, token = user.token) => sluice.api.get(`/api/tasks/chat/${chatId}`, token);

  it("sets up accounts", async () => {
    const admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    other = await signUpUser(sluice.url, admin);
  });

  it("lists a chat's answer while it streams, to its owner only, and a stop from elsewhere ends it without an error", async () => {
    const chatId = await newChat(user);
    expect((await tasksOf(chatId)).body).toEqual({ task_ids: [] });

    const response = await fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({
        model: "fake-small",
        messages: [{ id: "u1", role: "user", content: "slow please" }],
        stream: true,
        chat_id: chatId,
        id: "a1",
      }),
    });
    const reader = response.body!.getReader();
    let received = "";
    while ((received.match(/tick/g) ?? []).length < 2) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`The stream ended early: ${received}`);
      received += new TextDecoder().decode(value);
    }

    const listed = await tasksOf(chatId);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ task_ids: ["a1"] });
    expectError(await tasksOf(chatId, other.token), 404, /Chat not found/);
    expectError(await sluice.api.post("/api/tasks/stop/a1", undefined, other.token), 404);
    expect((await tasksOf(chatId)).body).toEqual({ task_ids: ["a1"] });

    const stopped = await sluice.api.post("/api/tasks/stop/a1", undefined, user.token);
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(200);
    expect(stopped.body.status).toBe(true);
    // The stream ends like a finished answer.
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    expect(received.trim().endsWith("data: [DONE]")).toBe(true);
    expect(received).not.toContain('"error"');
    await vi.waitFor(async () => expect((await tasksOf(chatId)).body).toEqual({ task_ids: [] }), { timeout: 5000 });
    const saved = (await sluice.api.get(`/api/v1/chats/${chatId}`, user.token)).body.chat.messages.find(
      (message: { id: string }) => message.id === "a1",
    );
    expect(saved).toMatchObject({ role: "assistant", done: true });
    expect(saved.content).toMatch(/^(tick )+/);
    expect(saved.content.length).toBeLessThan(200 * 5);
    expect(saved.error).toBeUndefined();
    expectError(await sluice.api.post("/api/tasks/stop/a1", undefined, user.token), 404);
  });

  it("forgets an answer whose client went away", async () => {
    const chatId = await newChat(user);
    const controller = new AbortController();
    const response = await fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({
        model: "fake-small",
        messages: [{ id: "u1", role: "user", content: "slow please" }],
        stream: true,
        chat_id: chatId,
        id: "a2",
      }),
      signal: controller.signal,
    });
    await response.body!.getReader().read();
    expect((await tasksOf(chatId)).body).toEqual({ task_ids: ["a2"] });
    controller.abort();
    await vi.waitFor(async () => expect((await tasksOf(chatId)).body).toEqual({ task_ids: [] }), { timeout: 5000 });
  });
});
