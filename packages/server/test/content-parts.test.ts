import { expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { useServer } from "./helpers/use-server.ts";

// Fixes issue, point 17: chats refused messages whose content is a list of parts (OpenAI's
// [{type: "text", text}, {type: "image_url", image_url: {url}}]).

const parts = [
  { type: "text", text: "What is in this picture?" },
  { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
];

// An outlet filter that reports what it saw of the user's message.
const SEER = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  outlet(body) {
    const user = body.messages.find((message) => message.role === "user");
    body.messages.at(-1).content = "saw " + (Array.isArray(user.content) ? user.content.map((part) => part.type).join("+") : typeof user.content);
    return body;
  },
});
`;

const sluice = useServer({ kind: "sqlite", env: { ENABLE_TITLE_GENERATION: "false" } });

it("stores and returns content parts unchanged, and filters see them as sent", async () => {
  const admin = await signUpAdmin(sluice.url);
  const messages = [{ id: "u1", role: "user", content: parts }];
  const created = await sluice.api.post("/api/v1/chats/new", { chat: { title: "Picture", messages } }, admin.token);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const chatId = created.body.id;
  expect((await sluice.api.get(`/api/v1/chats/${chatId}`, admin.token)).body.chat.messages[0].content).toEqual(parts);
  const reply = { id: "a1", role: "assistant", content: "A cat." };
  const updated = await sluice.api.post(`/api/v1/chats/${chatId}`, { chat: { messages: [...messages, reply] } }, admin.token);
  expect(updated.body.chat.messages.map((message: { content: unknown }) => message.content)).toEqual([parts, "A cat."]);

  expect((await sluice.api.post("/api/v1/functions/create", { id: "seer", name: "Seer", content: SEER }, admin.token)).status).toBe(200);
  await sluice.api.post("/api/v1/functions/id/seer/toggle", undefined, admin.token);
  await sluice.api.post("/api/v1/functions/id/seer/toggle/global", undefined, admin.token);
  await sluice.api.post(
    "/api/v1/functions/create",
    {
      id: "echo",
      name: "Echo",
      content: 'import { definePipe } from "@sluice/sdk";\nexport default definePipe({ pipe: () => "echo" });\n',
    },
    admin.token,
  );
  await sluice.api.post("/api/v1/functions/id/echo/toggle", undefined, admin.token);
  const completed = await sluice.api.post(
    "/api/chat/completed",
    { model: "echo", chat_id: chatId, id: "a1", messages: [...messages, reply] },
    admin.token,
  );
  expect(completed.status, JSON.stringify(completed.body)).toBe(200);
  expect(completed.body.messages.at(-1).content).toBe("saw text+image_url");
});
