import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";
import { PLUGIN_TIERS, installFunction } from "./helpers/install-function.ts";

// Issue 11, point 4: `ctx.chat.get()`, `ctx.chat.setTitle` and `ctx.chat.meta` (a per-plugin
// key/value space stored in the chat's JSON), only ever for the requester's own chat; in the
// isolated tier and the trusted tier (`permissions: node`).

const TIERS = PLUGIN_TIERS;

/** A pipe that runs the chat command in the last message and answers its result as JSON. */
const chatPipe = (frontmatter: string) => `/**
 * title: Chat console
${frontmatter} */
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    const command = JSON.parse(body.messages.at(-1).content);
    switch (command.op) {
      case "get": return JSON.stringify({ chat: await ctx.chat.get() });
      case "title": await ctx.chat.setTitle(command.title); return JSON.stringify({ renamed: command.title });
      case "meta-get": return JSON.stringify({ value: (await ctx.chat.meta.get(command.key)) ?? "(missing)" });
      case "meta-set": await ctx.chat.meta.set(command.key, command.value); return JSON.stringify({ stored: command.key });
      case "meta-delete": return JSON.stringify({ deleted: await ctx.chat.meta.delete(command.key) });
    }
  },
});
`;

describeEachDatabase("ctx.chat over HTTP", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { PLUGIN_STORAGE_MAX_VALUE_BYTES: "200" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let ada: TestAccount;
  let bob: TestAccount;

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
  });

  const install = (id: string, content: string, isTrusted: boolean) =>
    installFunction(sluice.api, admin.token, id, content, { approve: isTrusted });

  const newChat = async (account: TestAccount) => {
    const created = await sluice.api.post(
      "/api/v1/chats/new",
      {
        chat: {
          title: "Trip",
          files: [{ type: "file", id: "f-chat", name: "plan.pdf" }],
          messages: [
            { id: "m1", role: "user", content: "Where to?", files: [{ type: "file", id: "f-1", name: "map.png" }] },
            { id: "m2", parentId: "m1", role: "assistant", content: "Lisbon.", model: "fake-small", timestamp: 1_700_000_000 },
          ],
        },
      },
      account.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return created.body.id as string;
  };

  const say = (account: TestAccount, model: string, command: unknown, chatId?: string) =>
    sluice.api.request("POST", "/api/chat/completions", {
      token: account.token,
      body: {
        model,
        messages: [{ role: "user", content: JSON.stringify(command) }],
        ...(chatId ? { chat_id: chatId, id: `answer-${crypto.randomUUID()}` } : {}),
      },
    });

  const answerOf = (response: { status: number; body: any }) => {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return JSON.parse(response.body.choices[0].message.content as string);
  };

  for (const { tier, frontmatter } of TIERS) {
    const isTrusted = tier === "trusted";
    const model = `chat_${tier}`;

    it(`gives the requester's stored chat with message ids, files and the plugin's meta (${tier} tier)`, async () => {
      await install(model, chatPipe(frontmatter), isTrusted);
      const chatId = await newChat(ada);
      const { chat } = answerOf(await say(ada, model, { op: "get" }, chatId));
      expect(chat).toEqual({
        id: chatId,
        title: "Trip",
        messages: [
          { id: "m1", role: "user", content: "Where to?", files: [{ type: "file", id: "f-1", name: "map.png" }] },
          { id: "m2", parentId: "m1", role: "assistant", content: "Lisbon.", model: "fake-small", timestamp: 1_700_000_000 },
        ],
        files: [
          { type: "file", id: "f-chat", name: "plan.pdf" },
          { type: "file", id: "f-1", name: "map.png" },
        ],
        meta: {},
      });
    });

    it(`answers null for an API call without a chat, and refuses to rename none (${tier} tier)`, async () => {
      expect(answerOf(await say(ada, model, { op: "get" }))).toEqual({ chat: null });
      expect(answerOf(await say(ada, model, { op: "get" }, "local:temporary"))).toEqual({ chat: null });
      expect(answerOf(await say(ada, model, { op: "meta-get", key: "k" }))).toEqual({ value: "(missing)" });
      expectError(await say(ada, model, { op: "title", title: "Nope" }), 404, "needs a stored chat");
      expectError(await say(ada, model, { op: "meta-set", key: "k", value: 1 }), 404, "needs a stored chat");
    });

    it(`never reaches another user's chat (${tier} tier)`, async () => {
      const chatId = await newChat(ada);
      expectError(await say(bob, model, { op: "get" }, chatId), 404, `Chat not found: ${chatId}`);
      expectError(await say(bob, model, { op: "title", title: "Mine now" }, chatId), 404);
      expect((await sluice.api.get(`/api/v1/chats/${chatId}`, ada.token)).body.title).toBe("Trip");
    });

    it(`renames the chat (${tier} tier)`, async () => {
      const chatId = await newChat(ada);
      expect(answerOf(await say(ada, model, { op: "title", title: "  Lisbon in May " }, chatId))).toEqual({ renamed: "  Lisbon in May " });
      const stored = await sluice.api.get(`/api/v1/chats/${chatId}`, ada.token);
      expect(stored.body.title).toBe("Lisbon in May");
      expect(stored.body.chat.title).toBe("Lisbon in May");
      expectError(await say(ada, model, { op: "title", title: "   " }, chatId), 400, "non-empty string");
    });

    it(`keeps meta per plugin on the chat, across requests and browser saves, under its cap (${tier} tier)`, async () => {
      const chatId = await newChat(ada);
      expect(answerOf(await say(ada, model, { op: "meta-set", key: "topic", value: { city: "Lisbon" } }, chatId))).toEqual({
        stored: "topic",
      });
      expect(answerOf(await say(ada, model, { op: "meta-get", key: "topic" }, chatId))).toEqual({ value: { city: "Lisbon" } });
      expect(answerOf(await say(ada, model, { op: "get" }, chatId)).chat.meta).toEqual({ topic: { city: "Lisbon" } });

      // Another plugin has its own space on the same chat.
      const other = `${model}_other`;
      await install(other, chatPipe(frontmatter), isTrusted);
      expect(answerOf(await say(ada, other, { op: "meta-get", key: "topic" }, chatId))).toEqual({ value: "(missing)" });

      // A browser saving the chat (even with a forged pluginMeta) leaves the plugins' meta as it was.
      const saved = await sluice.api.post(
        `/api/v1/chats/${chatId}`,
        { chat: { title: "Trip (edited)", pluginMeta: { [`function:${model}`]: { topic: "forged" } } } },
        ada.token,
      );
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      expect(answerOf(await say(ada, model, { op: "meta-get", key: "topic" }, chatId))).toEqual({ value: { city: "Lisbon" } });

      // Past the cap (PLUGIN_STORAGE_MAX_VALUE_BYTES for the plugin's space on a chat): 413, nothing lost.
      expectError(
        await say(ada, model, { op: "meta-set", key: "notes", value: "x".repeat(300) }, chatId),
        413,
        "PLUGIN_STORAGE_MAX_VALUE_BYTES",
      );
      expect(answerOf(await say(ada, model, { op: "get" }, chatId)).chat.meta).toEqual({ topic: { city: "Lisbon" } });

      expect(answerOf(await say(ada, model, { op: "meta-delete", key: "topic" }, chatId))).toEqual({ deleted: true });
      expect(answerOf(await say(ada, model, { op: "meta-delete", key: "topic" }, chatId))).toEqual({ deleted: false });
      expect(answerOf(await say(ada, model, { op: "meta-get", key: "topic" }, chatId))).toEqual({ value: "(missing)" });

      // The meta goes with the chat.
      await say(ada, model, { op: "meta-set", key: "again", value: 1 }, chatId);
      expect((await sluice.api.delete(`/api/v1/chats/${chatId}`, ada.token)).status).toBe(200);
      expectError(await say(ada, model, { op: "meta-get", key: "again" }, chatId), 404, "Chat not found");
    });
  }
});
