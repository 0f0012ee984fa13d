import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { connectSocket } from "./helpers/connect-socket.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";
import { askingPipe, narratingPipe, rewriteAction, shoutFilter, weatherToolsModule } from "./fixtures/pipeline-plugins.ts";

describeEachDatabase("plugins at work in chats", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS: "3", WEBSOCKET_EVENT_CALLER_TIMEOUT: "2" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let user: TestAccount;
  let other: TestAccount;

  const complete = (body: object, token = user.token) => sluice.api.post("/api/chat/completions", body, token);
  const newChat = async (account: TestAccount, messages: object[] = []) => {
    const created = await sluice.api.post("/api/v1/chats/new", { chat: { title: "New Chat", messages } }, account.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return created.body.id as string;
  };
  const storedMessage = async (chatId: string, messageId: string, token = user.token) => {
    const chat = await sluice.api.get(`/api/v1/chats/${chatId}`, token);
    return chat.body.chat.messages.find((message: { id: string }) => message.id === messageId);
  };

  it("sets up accounts, a public tool, an action, a filter and an asking pipe", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    other = await signUpUser(sluice.url, admin);
    const tool = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "weather", name: "Weather", content: weatherToolsModule, access_control: null },
      admin.token,
    );
    expect(tool.status, JSON.stringify(tool.body)).toBe(200);
    const privateTool = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "secret_weather", name: "Secret", content: weatherToolsModule },
      admin.token,
    );
    expect(privateTool.status).toBe(200);
    for (const [id, content] of [
      ["rewrite", rewriteAction],
      ["shout", shoutFilter],
      ["asker", askingPipe],
      ["narrator", narratingPipe],
    ] as const) {
      const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    }
    // The filter works on one model only; the action is on every model.
    await sluice.api.post("/api/v1/functions/id/rewrite/toggle/global", undefined, admin.token);
    await sluice.api.post(
      "/api/v1/models/create",
      { id: "fake-large", name: "Large", meta: { filterIds: ["shout"], toolIds: ["weather"] } },
      admin.token,
    );
  });

  it("offers tools by tool_ids, runs the call in the tool's sandbox and sends the result back to the model", async () => {
    const { status, body } = await complete({
      model: "fake-small",
      messages: [{ role: "user", content: "what is the weather in Oslo?" }],
      tool_ids: ["weather"],
    });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.choices[0].message.content).toBe("Tool said: Sunny in Oslo");
    const [first, second] = fake.chatBodies().slice(-2) as any[];
    expect(first.tools).toEqual([
      {
        type: "function",
        function: expect.objectContaining({ name: "get_weather", parameters: expect.objectContaining({ required: ["city"] }) }),
      },
    ]);
    expect(second.messages.at(-2)).toMatchObject({
      role: "assistant",
      tool_calls: [{ type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }],
    });
    expect(second.messages.at(-1)).toMatchObject({ role: "tool", content: "Sunny in Oslo" });
  });

  it("turns a tool's error into a result the model sees, and stops the loop at the bound", async () => {
    const failed = await complete({
      model: "fake-small",
      messages: [{ role: "user", content: "weather in Atlantis" }],
      tool_ids: ["weather"],
    });
    expect(failed.body.choices[0].message.content).toBe("Tool said: Error: no such city");
    // The status line of a failed tool is marked as an error (the page shows it in red, not with a check).
    const chatId = await newChat(user, [{ id: "u1", role: "user", content: "weather in Atlantis" }]);
    await complete({
      model: "fake-small",
      messages: [{ id: "u1", role: "user", content: "weather in Atlantis" }],
      tool_ids: ["weather"],
      chat_id: chatId,
      id: "a1",
    });
    expect((await storedMessage(chatId, "a1")).statusHistory).toEqual([
      expect.objectContaining({ description: "Running tool get_weather", done: false }),
      expect.objectContaining({ description: "Tool failed get_weather", done: true, error: true }),
    ]);
    // Counted by their question: the first chat's title is asked for in the background meanwhile.
    const loopCalls = () => fake.chatBodies().filter((body) => JSON.stringify(body.messages).includes("loop tools please")).length;
    const before = loopCalls();
    const looped = await complete({
      model: "fake-small",
      messages: [{ role: "user", content: "loop tools please" }],
      tool_ids: ["weather"],
    });
    expect(looped.status).toBe(200);
    expect(looped.body.choices[0].message.content).toContain("tool call limit of 3 rounds");
    expect(loopCalls() - before).toBe(3);
  });

  it("uses a model's toolIds and filterIds, and only tools the user may read", async () => {
    await complete({ model: "fake-large", messages: [{ role: "user", content: "weather in Rome" }] });
    expect((fake.chatBodies().at(-2) as any).tools.map((tool: any) => tool.function.name)).toEqual(["get_weather"]);
    await complete({ model: "fake-small", messages: [{ role: "user", content: "hi" }], tool_ids: ["secret_weather"] });
    expect(fake.chatBodies().at(-1)).not.toHaveProperty("tools");
  });

  it("saves the assistant message in the chat with the outlet's change, and keeps other users out", async () => {
    const chatId = await newChat(user, [{ id: "u1", role: "user", content: "hello" }]);
    const answer = await complete({
      model: "fake-large",
      messages: [{ id: "u1", role: "user", content: "hello" }],
      chat_id: chatId,
      id: "a1",
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // The HTTP answer is the model's; the outlet's change is saved to the chat.
    expect(answer.body.choices[0].message.content).toBe("You said: HELLO");
    expect(await storedMessage(chatId, "a1")).toMatchObject({
      role: "assistant",
      content: "You said: HELLO [checked]",
      originalContent: "You said: HELLO",
      model: "fake-large",
      parentId: "u1",
    });
    expectError(
      await complete({ model: "fake-small", messages: [{ role: "user", content: "x" }], chat_id: chatId, id: "a2" }, other.token),
      404,
    );
  });

  it("names a new chat after its first answer through the same pipeline", async () => {
    const chatId = await newChat(user);
    await complete({
      model: "fake-small",
      messages: [{ id: "u1", role: "user", content: "tell me about otters" }],
      chat_id: chatId,
      id: "a1",
    });
    await vi.waitFor(async () => expect((await sluice.api.get(`/api/v1/chats/${chatId}`, user.token)).body.title).toBe("Fake Title"), {
      timeout: 10_000,
    });
  });

  it("runs the outlet chain for /api/chat/completed and returns the result", async () => {
    const { status, body } = await sluice.api.post(
      "/api/chat/completed",
      {
        model: "fake-large",
        messages: [
          { id: "u", role: "user", content: "q" },
          { id: "a", role: "assistant", content: "answer" },
        ],
        id: "a",
      },
      user.token,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.messages.at(-1).content).toBe("answer [checked]");
  });

  it("lists action buttons per model and runs one, saving its change", async () => {
    const models = await sluice.api.get("/api/models", user.token);
    expect(
      models.body.data.find((model: { id: string }) => model.id === "fake-small").actions.map((action: { id: string }) => action.id),
    ).toEqual(["rewrite.loud", "rewrite.quiet"]);
    const chatId = await newChat(user, [{ id: "m1", role: "assistant", content: "Quiet words" }]);
    const body = { model: "fake-small", messages: [{ id: "m1", role: "assistant", content: "Quiet words" }], chat_id: chatId, id: "m1" };
    const result = await sluice.api.post("/api/chat/actions/rewrite.loud", body, user.token);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body).toEqual({ messages: [{ id: "m1", content: "QUIET WORDS!" }] });
    expect(await storedMessage(chatId, "m1")).toMatchObject({ content: "QUIET WORDS!", originalContent: "Quiet words" });
    expectError(await sluice.api.post("/api/chat/actions/rewrite.nope", body, user.token), 404);
    expectError(await sluice.api.post("/api/chat/actions/shout", body, user.token), 404);
  });

  it("delivers plugin events to the user's socket, persists them, and answers ctx.call from the tab", async () => {
    const tab = await connectSocket(sluice.url, user.token);
    const stranger = await connectSocket(sluice.url, other.token);
    try {
      tab.socket.on("events", (envelope: any, acknowledge?: (answer: unknown) => void) => {
        if (envelope.data.type === "confirmation") acknowledge?.(true);
      });
      const chatId = await newChat(user, [{ id: "u1", role: "user", content: "go" }]);
      const answer = await complete({
        model: "asker",
        messages: [{ id: "u1", role: "user", content: "go" }],
        chat_id: chatId,
        id: "a1",
        session_id: tab.socket.id,
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.choices[0].message.content).toBe("confirmed");
      const status = await tab.next((envelope) => envelope.data.type === "status");
      expect(status).toMatchObject({
        chat_id: chatId,
        message_id: "a1",
        data: { type: "status", data: { description: "Asking", done: false } },
      });
      await tab.next((envelope) => envelope.data.type === "chat:completion" && (envelope.data.data as any).done === true);
      expect(stranger.received).toEqual([]);
      const stored = await storedMessage(chatId, "a1");
      expect(stored.statusHistory).toEqual([expect.objectContaining({ description: "Asking" })]);
      expect(stored.sources).toEqual([expect.objectContaining({ source: { name: "Manual" } })]);
    } finally {
      tab.close();
      stranger.close();
    }
  });

  it("keeps the text of message events in the saved answer, in the order it came, with the yielded text, and saves follow-ups", async () => {
    const tab = await connectSocket(sluice.url, user.token);
    try {
      const chatId = await newChat(user, [{ id: "u1", role: "user", content: "what is it?" }]);
      const answer = await complete({
        model: "narrator",
        stream: true,
        messages: [{ id: "u1", role: "user", content: "what is it?" }],
        chat_id: chatId,
        id: "a1",
        session_id: tab.socket.id,
      });
      expect(answer.status).toBe(200);
      const done = await tab.next((envelope) => envelope.data.type === "chat:completion" && (envelope.data.data as any).done === true);
      expect((done.data.data as any).content).toBe("Looking it up… Found (from the index) 42.");
      const stored = await storedMessage(chatId, "a1");
      expect(stored.content).toBe("Looking it up… Found (from the index) 42.");
      expect(stored.followUps).toEqual(["Why 42?", "Show the index"]);
      // An API caller naming the chat and message gets the same saved answer.
      const chatId2 = await newChat(user, [{ id: "u1", role: "user", content: "what is it?" }]);
      await complete({ model: "narrator", messages: [{ id: "u1", role: "user", content: "what is it?" }], chat_id: chatId2, id: "a2" });
      expect((await storedMessage(chatId2, "a2")).content).toBe("Looking it up… Found (from the index) 42.");
    } finally {
      tab.close();
    }
  });

  it("fails ctx.call clearly for API callers and when the tab does not answer in time", async () => {
    const api = await complete({ model: "asker", messages: [{ role: "user", content: "go" }] });
    expectError(api, 403, /session/i);
    const tab = await connectSocket(sluice.url, user.token);
    try {
      const silent = await complete({ model: "asker", messages: [{ role: "user", content: "go" }], session_id: tab.socket.id });
      expect(silent.status).toBeGreaterThanOrEqual(400);
      expect(silent.body.detail).toMatch(/did not answer the "confirmation" event within 2 s/);
    } finally {
      tab.close();
    }
  });

  it("stops the upstream request when the client goes away mid-stream, keeping what was said", async () => {
    const chatId = await newChat(user, [{ id: "u1", role: "user", content: "slow please" }]);
    const controller = new AbortController();
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
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let received = "";
    while ((received.match(/tick/g) ?? []).length < 2) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`The stream ended early: ${received}`);
      received += new TextDecoder().decode(value);
    }
    const abortedBefore = fake.abortedRequests;
    controller.abort();
    await vi.waitFor(() => expect(fake.abortedRequests).toBe(abortedBefore + 1), { timeout: 5000 });
    expect((await sluice.api.get("/health")).status).toBe(200);
    await vi.waitFor(async () => expect((await storedMessage(chatId, "a1"))?.content).toMatch(/^(tick )+/), { timeout: 5000 });
  });
});
