import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";
import { weatherToolsModule } from "./fixtures/pipeline-plugins.ts";

describeEachDatabase("a user's own tools in chats", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let author: TestAccount;
  let other: TestAccount;

  it("sets up an admin, a user allowed to create tools, and another user", async () => {
    admin = await signUpAdmin(sluice.url);
    author = await signUpUser(sluice.url, admin);
    other = await signUpUser(sluice.url, admin);
    const granted = await sluice.api.post(
      `/api/v1/users/${author.id}/update`,
      { permissions: { workspace: { tools: true } } },
      admin.token,
    );
    expect(granted.status, JSON.stringify(granted.body)).toBe(200);
    const created = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "my_weather", name: "My weather", content: weatherToolsModule },
      author.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ user_id: author.id, access_control: {} });
  });

  it("lists the tool to its owner", async () => {
    const listed = await sluice.api.get("/api/v1/tools/", author.token);
    expect(listed.body.map((tool: { id: string }) => tool.id)).toEqual(["my_weather"]);
  });

  it("offers the owner's private tool to the model and runs it", async () => {
    const { status, body } = await sluice.api.post(
      "/api/chat/completions",
      { model: "fake-small", messages: [{ role: "user", content: "weather in Oslo" }], tool_ids: ["my_weather"] },
      author.token,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.choices[0].message.content).toBe("Tool said: Sunny in Oslo");
  });

  it("saves each tool call on the answer with its arguments and result, an error marked", async () => {
    const created = await sluice.api.post(
      "/api/v1/chats/new",
      { chat: { title: "New Chat", messages: [{ id: "u1", role: "user", content: "weather in Atlantis" }] } },
      author.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const chatId = created.body.id as string;
    for (const [id, city] of [
      ["a1", "Oslo"],
      ["a2", "Atlantis"],
    ]) {
      const answer = await sluice.api.post(
        "/api/chat/completions",
        { model: "fake-small", messages: [{ role: "user", content: `weather in ${city}` }], tool_ids: ["my_weather"], chat_id: chatId, id },
        author.token,
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
    const chat = await sluice.api.get(`/api/v1/chats/${chatId}`, author.token);
    const stored = (id: string) => chat.body.chat.messages.find((message: { id: string }) => message.id === id);
    expect(stored("a1").toolCalls).toEqual([
      { id: expect.any(String), name: "get_weather", arguments: '{"city":"Oslo"}', done: true, result: "Sunny in Oslo" },
    ]);
    expect(stored("a2").toolCalls).toEqual([
      expect.objectContaining({ name: "get_weather", done: true, result: "Error: no such city", error: true }),
    ]);
  });

  it("does not offer it to another user", async () => {
    const { status } = await sluice.api.post(
      "/api/chat/completions",
      { model: "fake-small", messages: [{ role: "user", content: "weather in Oslo" }], tool_ids: ["my_weather"] },
      other.token,
    );
    expect(status).toBe(200);
    expect(fake.chatBodies().at(-1)).not.toHaveProperty("tools");
  });
});
