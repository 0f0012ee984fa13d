import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

/** A pipe that never stops talking. */
const endlessPipe = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  async *pipe() {
    for (let index = 0; ; index++) yield "word ";
  },
});
`;

const MAX_CHARACTERS = 100;

describeEachDatabase("answer length limit", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { CHAT_RESPONSE_MAX_CHARACTERS: String(MAX_CHARACTERS) };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let user: TestAccount;

  const newChat = async (content: string) => {
    const created = await sluice.api.post(
      "/api/v1/chats/new",
      { chat: { title: "New Chat", messages: [{ id: "u1", role: "user", content }] } },
      user.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return created.body.id as string;
  };
  const storedAnswer = async (chatId: string) => {
    const chat = await sluice.api.get(`/api/v1/chats/${chatId}`, user.token);
    return chat.body.chat.messages.find((message: { id: string }) => message.id === "a1");
  };
  const streamed = async (body: object) => {
    const response = await sluice.api.request("POST", "/api/chat/completions", { body: { ...body, stream: true }, token: user.token });
    expect(response.status).toBe(200);
    const frames = String(response.body)
      .split("\n\n")
      .filter((frame) => frame.startsWith("data: "))
      .map((frame) => frame.slice("data: ".length));
    return {
      frames,
      text: frames
        .filter((frame) => frame !== "[DONE]")
        .map((frame) => JSON.parse(frame).choices?.[0]?.delta?.content ?? "")
        .join(""),
    };
  };

  it("sets up accounts and an endless pipe", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "endless", name: "Endless", content: endlessPipe },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await sluice.api.post("/api/v1/functions/id/endless/toggle", undefined, admin.token);
  });

  it("stops a pipe that yields forever with a clear error frame, keeping and saving what was said", async () => {
    const chatId = await newChat("talk");
    const { frames, text } = await streamed({
      model: "endless",
      messages: [{ id: "u1", role: "user", content: "talk" }],
      chat_id: chatId,
      id: "a1",
    });
    expect(frames.at(-1)).toBe("[DONE]");
    const error = JSON.parse(frames.at(-2)!).error;
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", detail: expect.stringContaining(`${MAX_CHARACTERS} characters`) });
    expect(text).toMatch(/^(word )+$/);
    expect(text.length).toBeLessThanOrEqual(MAX_CHARACTERS);
    expect(text.length).toBeGreaterThan(MAX_CHARACTERS - "word ".length);
    const stored = await storedAnswer(chatId);
    expect(stored).toMatchObject({ content: text, error: { content: expect.stringContaining("CHAT_RESPONSE_MAX_CHARACTERS") } });
    expect((await sluice.api.get("/health")).status).toBe(200);
  });

  it("answers a request without streaming with 413", async () => {
    const response = await sluice.api.post(
      "/api/chat/completions",
      { model: "endless", messages: [{ role: "user", content: "talk" }] },
      user.token,
    );
    expectError(response, 413, "CHAT_RESPONSE_MAX_CHARACTERS");
  });

  it("stops a long upstream answer and its upstream request", async () => {
    const chatId = await newChat("slow please");
    const abortedBefore = fake.abortedRequests;
    const { frames, text } = await streamed({
      model: "fake-small",
      messages: [{ id: "u1", role: "user", content: "slow please" }],
      chat_id: chatId,
      id: "a1",
    });
    expect(JSON.parse(frames.at(-2)!).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(text).toMatch(/^(tick )+$/);
    expect(text.length).toBeLessThanOrEqual(MAX_CHARACTERS);
    await vi.waitFor(() => expect(fake.abortedRequests).toBe(abortedBefore + 1), { timeout: 5000 });
    expect((await storedAnswer(chatId)).content).toBe(text);
  });

  it("lets answers under the limit through", async () => {
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "fake-small", messages: [{ role: "user", content: "hello" }] },
      user.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("You said: hello");
  });
});
