import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";
import { PLUGIN_TIERS, installFunction } from "./helpers/install-function.ts";

// Issue 11, points 5 and 12: `ctx.storage` (per plugin, and `.user` per plugin and user) in the
// database, with caps that refuse a write without losing what was stored, and `ctx.request`; in
// the isolated tier and in the trusted tier (`permissions: node`), over the one service channel.

const TIERS = PLUGIN_TIERS;

/** A filter that counts each user's requests, and everyone's, and shows both in the answer. */
const counterFilter = (frontmatter: string) => `/**
 * title: Request counter
${frontmatter} */
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  async inlet(body, ctx) {
    const mine = ((await ctx.storage.user.get("requests")) ?? 0) + 1;
    await ctx.storage.user.set("requests", mine);
    const everyone = ((await ctx.storage.get("requests")) ?? 0) + 1;
    await ctx.storage.set("requests", everyone);
    const last = body.messages.at(-1);
    return { ...body, messages: [...body.messages.slice(0, -1), { ...last, content: last.content + " (yours: " + mine + ", all: " + everyone + ")" }] };
  },
});
`;

/** A pipe that runs the storage command in the last message and answers its result as JSON. */
const consolePipe = (frontmatter: string) => `/**
 * title: Storage console
${frontmatter} */
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    const command = JSON.parse(body.messages.at(-1).content);
    const space = command.user ? ctx.storage.user : ctx.storage;
    switch (command.op) {
      case "get": return JSON.stringify({ value: (await space.get(command.key)) ?? "(missing)" });
      case "set": await space.set(command.key, command.value, command.options); return JSON.stringify({ stored: command.key });
      case "delete": return JSON.stringify({ deleted: await space.delete(command.key) });
      case "list": return JSON.stringify({ keys: await space.list(command.prefix) });
      case "request": return JSON.stringify(ctx.request);
    }
  },
});
`;

const LIMITS = { PLUGIN_STORAGE_MAX_KEY_LENGTH: "32", PLUGIN_STORAGE_MAX_VALUE_BYTES: "1000", PLUGIN_STORAGE_MAX_TOTAL_BYTES: "2500" };

describeEachDatabase("plugin storage over HTTP", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { ...LIMITS };
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

  const say = (account: TestAccount, model: string, content: unknown, headers: Record<string, string> = {}) =>
    sluice.api.request("POST", "/api/chat/completions", {
      token: account.token,
      headers,
      body: { model, messages: [{ role: "user", content: typeof content === "string" ? content : JSON.stringify(content) }] },
    });

  const answerOf = (response: { status: number; body: any }) => {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.choices[0].message.content as string;
  };

  for (const { tier, frontmatter } of TIERS) {
    const isTrusted = tier === "trusted";

    it(`counts requests per user and per plugin in a filter (${tier} tier)`, async () => {
      const id = `counter_${tier}`;
      await install(id, counterFilter(frontmatter), isTrusted);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token);
      try {
        expect(answerOf(await say(ada, "fake-small", "hi"))).toBe("You said: hi (yours: 1, all: 1)");
        expect(answerOf(await say(ada, "fake-small", "again"))).toBe("You said: again (yours: 2, all: 2)");
        expect(answerOf(await say(bob, "fake-small", "hello"))).toBe("You said: hello (yours: 1, all: 3)");
      } finally {
        await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token);
      }
    });

    it(`refuses a value, a key or a total past its cap with a clear error and keeps what was stored (${tier} tier)`, async () => {
      const model = `console_${tier}`;
      await install(model, consolePipe(frontmatter), isTrusted);
      expect(answerOf(await say(ada, model, { op: "set", key: "note", value: { text: "kept" } }))).toBe('{"stored":"note"}');

      const tooLarge = await say(ada, model, { op: "set", key: "note", value: "x".repeat(1200) });
      expectError(tooLarge, 413, "PLUGIN_STORAGE_MAX_VALUE_BYTES");
      expect(answerOf(await say(ada, model, { op: "get", key: "note" }))).toBe('{"value":{"text":"kept"}}');

      expectError(await say(ada, model, { op: "set", key: "k".repeat(33), value: 1 }), 400, "PLUGIN_STORAGE_MAX_KEY_LENGTH");

      // Two values of 900 bytes fit under 2500; a third would not, and is refused whole.
      expect(answerOf(await say(ada, model, { op: "set", key: "a", value: "a".repeat(898) }))).toBe('{"stored":"a"}');
      expect(answerOf(await say(ada, model, { op: "set", key: "b", value: "b".repeat(898), user: true }))).toBe('{"stored":"b"}');
      const full = await say(ada, model, { op: "set", key: "c", value: "c".repeat(898) });
      expectError(full, 413, "PLUGIN_STORAGE_MAX_TOTAL_BYTES");
      expect(answerOf(await say(ada, model, { op: "list" }))).toBe('{"keys":["a","note"]}');
      // Replacing a value counts its new size in place of the old.
      expect(answerOf(await say(ada, model, { op: "set", key: "a", value: "A".repeat(898) }))).toBe('{"stored":"a"}');
      expect(answerOf(await say(ada, model, { op: "delete", key: "a" }))).toBe('{"deleted":true}');
      expect(answerOf(await say(ada, model, { op: "delete", key: "a" }))).toBe('{"deleted":false}');
      expect(answerOf(await say(ada, model, { op: "set", key: "c", value: "c".repeat(898) }))).toBe('{"stored":"c"}');
    });

    it(`keeps each user's space apart, lists by prefix, and forgets a value past its ttl (${tier} tier)`, async () => {
      const model = `console_${tier}`;
      await say(ada, model, { op: "set", key: "lang:main", value: "de", user: true });
      await say(ada, model, { op: "set", key: "lang:alt", value: "fr", user: true });
      await say(ada, model, { op: "set", key: "langx%", value: "-", user: true });
      expect(answerOf(await say(ada, model, { op: "list", prefix: "lang:", user: true }))).toBe('{"keys":["lang:alt","lang:main"]}');
      expect(answerOf(await say(bob, model, { op: "get", key: "lang:main", user: true }))).toBe('{"value":"(missing)"}');
      expect(answerOf(await say(bob, model, { op: "list", user: true }))).toBe('{"keys":[]}');

      expect(answerOf(await say(bob, model, { op: "set", key: "flash", value: "soon gone", options: { ttlSeconds: 0.5 } }))).toBe(
        '{"stored":"flash"}',
      );
      expect(answerOf(await say(bob, model, { op: "get", key: "flash" }))).toBe('{"value":"soon gone"}');
      await delay(700);
      expect(answerOf(await say(bob, model, { op: "get", key: "flash" }))).toBe('{"value":"(missing)"}');
      expect(answerOf(await say(bob, model, { op: "list" }))).not.toContain("flash");
      expectError(await say(bob, model, { op: "set", key: "never", value: 1, options: { ttlSeconds: -1 } }), 400, "ttlSeconds");
    });

    it(`tells the plugin the request's base URL and harmless headers, never credentials (${tier} tier)`, async () => {
      const facts = JSON.parse(
        answerOf(
          await say(ada, `console_${tier}`, { op: "request" }, { "accept-language": "de-CH, de;q=0.9", "user-agent": "storage-test/1.0" }),
        ),
      );
      expect(facts).toEqual({ baseUrl: sluice.url, headers: { "accept-language": "de-CH, de;q=0.9", "user-agent": "storage-test/1.0" } });
    });
  }

  it("keeps a tool's storage apart from a function's of the same id", async () => {
    const tool =
      '/**\n * title: Same id\n */\nimport { defineTools, z } from "@sluice/sdk";\n' +
      'export default defineTools({ tools: { weather: { description: "Peek", parameters: z.object({ city: z.string() }), ' +
      'execute: async (_args, ctx) => JSON.stringify({ value: (await ctx.storage.get("note")) ?? "(missing)" }) } } });\n';
    const created = await sluice.api.post("/api/v1/tools/create", { id: "console_isolated", name: "Same id", content: tool }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "fake-small", tool_ids: ["console_isolated"], messages: [{ role: "user", content: "weather in Oslo" }] },
      admin.token,
    );
    expect(answerOf(answer)).toBe('Tool said: {"value":"(missing)"}');
    // The function of that id did store "note".
    expect(answerOf(await say(ada, "console_isolated", { op: "get", key: "note" }))).toBe('{"value":{"text":"kept"}}');
  });

  it("forgets what a plugin stored when it is deleted, so a new plugin of that id starts empty", async () => {
    expect((await sluice.api.delete("/api/v1/functions/id/console_isolated/delete", admin.token)).status).toBe(200);
    await install("console_isolated", consolePipe(""), false);
    expect(answerOf(await say(ada, "console_isolated", { op: "get", key: "note" }))).toBe('{"value":"(missing)"}');
    expect(answerOf(await say(ada, "console_isolated", { op: "list", prefix: "lang", user: true }))).toBe('{"keys":[]}');
    // The tool of that id still runs, and the trusted console still has its values.
    expect(answerOf(await say(ada, "console_trusted", { op: "get", key: "note" }))).toBe('{"value":{"text":"kept"}}');
  });
});
