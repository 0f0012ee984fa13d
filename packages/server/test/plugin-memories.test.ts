import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";
import { PLUGIN_TIERS, installFunction } from "./helpers/install-function.ts";

// Issue 11, point 6 in plugins: `ctx.memories` is the requesting user's memories, the same ones
// `/api/v1/memories` shows, in the isolated tier and in the trusted tier (`permissions: node`).

const TIERS = PLUGIN_TIERS;

/** A pipe that runs the memories command in the last message and answers its result as JSON. */
const memoryConsole = (frontmatter: string) => `/**
 * title: Memory console
${frontmatter} */
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    const command = JSON.parse(body.messages.at(-1).content);
    switch (command.op) {
      case "list": return JSON.stringify((await ctx.memories.list()).map((memory) => memory.content));
      case "add": return JSON.stringify(await ctx.memories.add(command.content));
      case "update": return JSON.stringify(await ctx.memories.update(command.id, command.content));
      case "delete": return JSON.stringify(await ctx.memories.delete(command.id));
      case "query": return JSON.stringify(await ctx.memories.query(command.text, { k: command.k }));
    }
  },
});
`;

describeEachDatabase("ctx.memories over HTTP", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { MEMORY_MAX_CHARACTERS: "200" };
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

  const say = (account: TestAccount, model: string, command: unknown) =>
    sluice.api.request("POST", "/api/chat/completions", {
      token: account.token,
      body: { model, messages: [{ role: "user", content: JSON.stringify(command) }] },
    });

  const answerOf = (response: { status: number; body: any }) => {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return JSON.parse(response.body.choices[0].message.content as string);
  };

  for (const { tier, frontmatter } of TIERS) {
    const isTrusted = tier === "trusted";

    it(`reads and changes the requesting user's memories, the ones the REST API shows (${tier} tier)`, async () => {
      const model = `memories_${tier}`;
      await install(model, memoryConsole(frontmatter), isTrusted);
      const added = await sluice.api.post("/api/v1/memories/add", { content: `Ada keeps bees (${tier})` }, ada.token);
      expect(added.status, JSON.stringify(added.body)).toBe(200);

      const ofThisTier = (contents: string[]) => contents.filter((content) => content.endsWith(`(${tier})`));
      expect(ofThisTier(answerOf(await say(ada, model, { op: "list" })))).toEqual([`Ada keeps bees (${tier})`]);
      const fromPlugin = answerOf(await say(ada, model, { op: "add", content: `Ada lives by the sea (${tier})` }));
      expect(fromPlugin).toMatchObject({ id: expect.any(String), content: `Ada lives by the sea (${tier})` });
      expect(fromPlugin).not.toHaveProperty("userId");

      const matches = answerOf(await say(ada, model, { op: "query", text: `Where are the bees? (${tier})`, k: 2 }));
      expect(matches[0]).toMatchObject({ content: `Ada keeps bees (${tier})`, score: expect.any(Number) });

      const listed = await sluice.api.get("/api/v1/memories/", ada.token);
      expect(listed.body.map((memory: { content: string }) => memory.content)).toContain(`Ada lives by the sea (${tier})`);

      expect(answerOf(await say(ada, model, { op: "update", id: fromPlugin.id, content: `Ada lives inland (${tier})` }))).toMatchObject({
        content: `Ada lives inland (${tier})`,
      });
      expect(answerOf(await say(ada, model, { op: "delete", id: fromPlugin.id }))).toBe(true);
      expect(ofThisTier(answerOf(await say(ada, model, { op: "list" })))).toEqual([`Ada keeps bees (${tier})`]);
    });

    it(`never reaches another user's memories, and refuses what the REST API refuses (${tier} tier)`, async () => {
      const model = `memories_${tier}`;
      const adas = (await sluice.api.get("/api/v1/memories/", ada.token)).body as Array<{ id: string; content: string }>;
      expect(adas.length).toBeGreaterThan(0);

      expect(answerOf(await say(bob, model, { op: "list" }))).toEqual([]);
      expect(answerOf(await say(bob, model, { op: "query", text: "bees" }))).toEqual([]);
      expectError(await say(bob, model, { op: "delete", id: adas[0]!.id }), 404, "Memory not found");
      expectError(await say(bob, model, { op: "update", id: adas[0]!.id, content: "mine now" }), 404, "Memory not found");
      expectError(await say(bob, model, { op: "add", content: "x".repeat(201) }), 413, "MEMORY_MAX_CHARACTERS");

      const after = (await sluice.api.get("/api/v1/memories/", ada.token)).body as Array<{ id: string; content: string }>;
      expect(after).toEqual(adas);
    });
  }
});
