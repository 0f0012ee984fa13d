import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

// Fixes issue, point 9: chat titles through pipe models were junk (the title prompt echoed back,
// or "New Chat" for ever when the pipe asked the user something). Titles now come from the task
// model: TASK_MODEL, else the first upstream model; a pipe only when nothing else exists.

const ECHO = `import { definePipe } from "@sluice/sdk";
export default definePipe({ pipe: (body) => "You said: " + body.messages.at(-1).content });
`;

const ASKER = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    if (ctx.metadata.task) {
      try {
        await ctx.call({ type: "input", data: { title: "Name?", message: "?" } });
      } catch (error) {
        return "refused: " + error.message;
      }
    }
    return "fine";
  },
});
`;

async function setUp(sluice: ReturnType<typeof useServer>, admin: TestAccount): Promise<void> {
  for (const [id, content] of [
    ["echo", ECHO],
    ["asker", ASKER],
  ]) {
    expect((await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token)).status).toBe(200);
    await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
  }
}

async function chatThrough(sluice: ReturnType<typeof useServer>, admin: TestAccount, model: string): Promise<string> {
  const chatId = (await sluice.api.post("/api/v1/chats/new", { chat: { title: "New Chat", messages: [] } }, admin.token)).body.id;
  const answer = await sluice.api.post(
    "/api/chat/completions",
    { model, chat_id: chatId, id: "a1", messages: [{ id: "u1", role: "user", content: "tell me about otters" }] },
    admin.token,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return chatId;
}

describe("with an upstream", () => {
  let fake: FakeUpstream;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind: "sqlite", env });

  it("names a chat with a pipe model by asking the upstream model", async () => {
    const admin = await signUpAdmin(sluice.url);
    await setUp(sluice, admin);
    const chatId = await chatThrough(sluice, admin, "echo");
    await vi.waitFor(async () => expect((await sluice.api.get(`/api/v1/chats/${chatId}`, admin.token)).body.title).toBe("Fake Title"), {
      timeout: 10_000,
    });
    const asked = fake.chatBodies().filter((body) => JSON.stringify(body).includes("Generate a concise"));
    expect(asked.at(-1)).toMatchObject({ model: expect.not.stringMatching(/^echo$/) });
  });
});

describe("with pipes only", () => {
  const sluice = useServer({ kind: "sqlite" });

  it("never takes an echoed prompt for a title, and refuses ctx.call in the background task", async () => {
    const admin = await signUpAdmin(sluice.url);
    await setUp(sluice, admin);
    const echoed = await chatThrough(sluice, admin, "echo");
    const asking = await chatThrough(sluice, admin, "asker");
    await vi.waitFor(
      async () =>
        expect((await sluice.api.get(`/api/v1/chats/${asking}`, admin.token)).body.title).toMatch(
          /^refused: ctx\.call cannot ask the user anything during a background task \(title_generation\)/,
        ),
      { timeout: 10_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await sluice.api.get(`/api/v1/chats/${echoed}`, admin.token)).body.title).toBe("New Chat");
  });
});
