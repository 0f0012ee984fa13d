import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

/** The text of an SSE answer's content deltas. */
async function streamedText(response: Response): Promise<string> {
  const text = await response.text();
  return text
    .split("\n\n")
    .map((block) => block.replace(/^data: /, "").trim())
    .filter((payload) => payload && payload !== "[DONE]")
    .map((payload) => JSON.parse(payload).choices?.[0]?.delta?.content ?? "")
    .join("");
}

/** Open WebUI's "Continue": the request ends with the answer so far and names it; the answer grows from the stored text. */
describeEachDatabase("continuing an answer", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { ENABLE_TITLE_GENERATION: "false" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let user: TestAccount;

  const newChat = async () => {
    const question = { id: "q1", parentId: null, childrenIds: ["a1"], role: "user", content: "tell me" };
    const answer = { id: "a1", parentId: "q1", childrenIds: [], role: "assistant", content: "Half an", model: "fake-small", done: true };
    const created = await sluice.api.post(
      "/api/v1/chats/new",
      { chat: { title: "Cut off", messages: [question, answer], history: { messages: { q1: question, a1: answer }, currentId: "a1" } } },
      user.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return created.body.id as string;
  };
  const stream = (body: object) =>
    fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ model: "fake-small", stream: true, ...body }),
    });
  const storedAnswer = async (chatId: string) => {
    const { body } = await sluice.api.get(`/api/v1/chats/${chatId}`, user.token);
    return {
      inMessages: body.chat.messages.find((message: { id: string }) => message.id === "a1"),
      inHistory: body.chat.history.messages.a1,
    };
  };

  it("streams only the new text and saves it after the stored answer", async () => {
    user = await signUpAdmin(sluice.url);
    const chatId = await newChat();
    const response = await stream({
      messages: [
        { role: "user", content: "tell me" },
        { role: "assistant", content: "Half an" },
      ],
      chat_id: chatId,
      id: "a1",
    });
    expect(response.status).toBe(200);
    expect(await streamedText(response)).toBe(" and so on.");
    const { inMessages, inHistory } = await storedAnswer(chatId);
    expect(inMessages).toMatchObject({ content: "Half an and so on.", done: true });
    expect(inHistory).toMatchObject({ content: "Half an and so on.", parentId: "q1", childrenIds: [] });
  });

  it("replaces the stored text when the request ends with a question (asking again into the same message)", async () => {
    const chatId = await newChat();
    const response = await stream({ messages: [{ role: "user", content: "tell me" }], chat_id: chatId, id: "a1" });
    expect(await streamedText(response)).toBe("You said: tell me");
    expect((await storedAnswer(chatId)).inMessages).toMatchObject({ content: "You said: tell me" });
  });
});
