import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { api } from "./helpers/api.ts";

describe("an answer with reasoning", () => {
  let upstream: FakeUpstream;
  let server: RunningServer;
  let admin: TestAccount;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    server = await startServer({ kind: "sqlite", env: { OPENAI_API_BASE_URL: upstream.baseUrl } });
    admin = await signUpAdmin(server.url);
  });

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it("streams the reasoning deltas and saves them before the answer as a reasoning block", async () => {
    const question = { id: "q1", parentId: null, childrenIds: ["a1"], role: "user", content: "think first" };
    const answer = { id: "a1", parentId: "q1", childrenIds: [], role: "assistant", content: "", done: false };
    const created = await api(server.url).post(
      "/api/v1/chats/new",
      { chat: { title: "Thinking", messages: [question, answer], history: { messages: { q1: question, a1: answer }, currentId: "a1" } } },
      admin.token,
    );
    const chatId = created.body.id as string;

    const response = await fetch(`${server.url}/api/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "fake-small",
        stream: true,
        chat_id: chatId,
        id: "a1",
        messages: [{ role: "user", content: "think first" }],
      }),
    });
    const stream = await response.text();
    expect(stream).toContain('"reasoning_content":"Let me think."');

    const saved = (await api(server.url).get(`/api/v1/chats/${chatId}`, admin.token)).body.chat.history.messages.a1;
    expect(saved.content).toMatch(
      /^<details type="reasoning" done="true" duration="\d+">\n<summary>Thought for \d+ seconds<\/summary>\n> Let me think\.\n> Two and two make four\.\n<\/details>\nYou said: think first$/,
    );
  });
});
