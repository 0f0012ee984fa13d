import { afterAll, beforeAll, expect, it } from "vitest";
import { cosineSimilarity } from "../src/memories/embedding-vector.ts";
import { signUp, signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { type FakeUpstream, fakeEmbedding, startFakeUpstream } from "./helpers/fake-upstream.ts";
import { startServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 11, point 6: per-user memories on Open WebUI's paths, ranked by the database's full-text
// index, or by the upstream's embeddings when EMBEDDING_MODEL is set.

const COLOUR = "My favourite colour is blue";
const BEES = "I keep bees in a hive behind the house";
const WORK = "I work as a nurse in Leeds";

describeEachDatabase("memories, ranked by full text", (kind) => {
  const sluice = useServer({ kind, env: { MEMORY_MAX_CHARACTERS: "200", MEMORY_MAX_PER_USER: "5" } });
  let admin: TestAccount;
  let alice: TestAccount;
  let bob: TestAccount;

  const add = (account: TestAccount, content: unknown) => sluice.api.post("/api/v1/memories/add", { content }, account.token);
  const list = async (account: TestAccount) => {
    const answer = await sluice.api.get("/api/v1/memories/", account.token);
    expect(answer.status).toBe(200);
    return answer.body as { id: string; content: string }[];
  };
  const query = (account: TestAccount, content: unknown, k?: unknown) =>
    sluice.api.post("/api/v1/memories/query", { content, k }, account.token);

  it("sets up an admin and two users", async () => {
    admin = await signUpAdmin(sluice.url);
    alice = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
  });

  it("adds, lists, updates and deletes a memory", async () => {
    const added = await add(alice, "  I like tea  ");
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: alice.id,
      content: "I like tea",
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    expect(await list(alice)).toEqual([added.body]);

    const updated = await sluice.api.post(`/api/v1/memories/${added.body.id}/update`, { content: "I like coffee" }, alice.token);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id: added.body.id,
      user_id: alice.id,
      content: "I like coffee",
      created_at: added.body.created_at,
    });
    expect((await list(alice)).map((memory) => memory.content)).toEqual(["I like coffee"]);
    // The index follows the change: the old words no longer find it, the new ones do.
    expect((await query(alice, "tea")).body.results).toEqual([]);
    expect((await query(alice, "coffee")).body.results.map((result: { id: string }) => result.id)).toEqual([added.body.id]);

    const deleted = await sluice.api.delete(`/api/v1/memories/${added.body.id}`, alice.token);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toBe(true);
    expect(await list(alice)).toEqual([]);
    expect((await query(alice, "coffee")).body.results).toEqual([]);
    expectError(await sluice.api.delete(`/api/v1/memories/${added.body.id}`, alice.token), 404, "Memory not found");
  });

  it("answers a query with the relevant memory first, in Open WebUI's shape", async () => {
    for (const content of [COLOUR, BEES, WORK]) expect((await add(alice, content)).status).toBe(200);

    const colour = await query(alice, "Which colours are my favourite?", 3);
    expect(colour.status, JSON.stringify(colour.body)).toBe(200);
    const results = colour.body.results as { id: string; content: string; score: number }[];
    expect(results[0]).toMatchObject({ content: COLOUR, user_id: alice.id, score: expect.any(Number) });
    const scores = results.map((result) => result.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(0);
    expect(colour.body).toMatchObject({
      ids: [results.map((result) => result.id)],
      documents: [results.map((result) => result.content)],
      distances: [scores],
      metadatas: [results.map(() => ({ created_at: expect.any(Number), updated_at: expect.any(Number) }))],
    });

    // Only memories sharing a word (after stemming: "hives" finds "hive") are answered.
    const bees = await query(alice, "Where are the hives?", 3);
    expect(bees.body.results.map((result: { content: string }) => result.content)).toEqual([BEES]);
    // k defaults to 1, as in Open WebUI.
    expect((await query(alice, "nurse colour bees")).body.results).toHaveLength(1);
    expect((await query(alice, "zebra")).body.results).toEqual([]);
  });

  it("treats query text as words, never as search syntax", async () => {
    for (const text of [`"colour`, "colour OR *", "NEAR(colour blue)", "blue & !colour | (", "'; DROP TABLE memory; --", "-colour:"]) {
      const answer = await query(alice, text, 3);
      expect(answer.status, `${text}: ${JSON.stringify(answer.body)}`).toBe(200);
    }
    expect((await query(alice, "?!")).body.results).toEqual([]);
    expect(await list(alice)).toHaveLength(3);
  });

  it("never shows or changes another user's memories", async () => {
    const [aliceMemory] = await list(alice);
    expect(await list(bob)).toEqual([]);
    expect((await query(bob, COLOUR, 5)).body.results).toEqual([]);
    expectError(await sluice.api.post(`/api/v1/memories/${aliceMemory!.id}/update`, { content: "hijacked" }, bob.token), 404);
    expectError(await sluice.api.delete(`/api/v1/memories/${aliceMemory!.id}`, bob.token), 404);
    // Nor does an admin reach them through these paths: they are each user's own.
    expectError(await sluice.api.delete(`/api/v1/memories/${aliceMemory!.id}`, admin.token), 404);
    expect((await list(alice)).find((memory) => memory.id === aliceMemory!.id)).toEqual(aliceMemory);

    expect((await add(bob, "Bob's favourite colour is red")).status).toBe(200);
    expect((await query(alice, "colour", 5)).body.results.map((result: { content: string }) => result.content)).toEqual([COLOUR]);
  });

  it("deletes all of one's own memories, and only those", async () => {
    const cleared = await sluice.api.delete("/api/v1/memories/delete/user", alice.token);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toBe(true);
    expect(await list(alice)).toEqual([]);
    expect((await query(alice, "colour", 5)).body.results).toEqual([]);
    expect((await list(bob)).map((memory) => memory.content)).toEqual(["Bob's favourite colour is red"]);
    expect((await query(bob, "colour")).body.results).toHaveLength(1);
  });

  it("refuses bad input with a clear error and keeps what is stored", async () => {
    const before = await list(bob);
    const [memory] = before;
    expectError(await sluice.api.post("/api/v1/memories/add", {}, bob.token), 400, "content");
    expectError(await add(bob, 42), 400, "content");
    expectError(await add(bob, "   "), 400, "must not be empty");
    expectError(await add(bob, "x".repeat(201)), 413, "at most 200 characters (MEMORY_MAX_CHARACTERS)");
    expect((await add(bob, "y".repeat(200))).status).toBe(200);
    expectError(await sluice.api.request("POST", "/api/v1/memories/add", { rawBody: "{not json", token: bob.token }), 400);
    expectError(await sluice.api.post(`/api/v1/memories/${memory!.id}/update`, { content: "" }, bob.token), 400);
    expectError(await sluice.api.post(`/api/v1/memories/${memory!.id}/update`, { content: "z".repeat(201) }, bob.token), 413);
    expectError(await sluice.api.post("/api/v1/memories/no-such-id/update", { content: "hello" }, bob.token), 404, "Memory not found");
    expectError(await query(bob, ""), 400);
    expectError(await query(bob, "colour", 0), 400, "k must be a whole number from 1 to 100");
    expectError(await query(bob, "colour", 1.5), 400, "k must be");
    expectError(await query(bob, "colour", 101), 400, "k must be");
    expectError(await query(bob, "colour", "3"), 400, "k");
    expect((await list(bob)).find((row) => row.id === memory!.id)).toEqual(memory);
  });

  it("caps how many memories a user keeps (MEMORY_MAX_PER_USER)", async () => {
    while ((await list(bob)).length < 5) expect((await add(bob, "another fact")).status).toBe(200);
    expectError(await add(bob, "one too many"), 403, "MEMORY_MAX_PER_USER=5");
    expect(await list(bob)).toHaveLength(5);
    // Others are not held back by Bob's count.
    expect((await add(alice, "still room for me")).status).toBe(200);
  });

  it("is for signed-in, approved accounts only", async () => {
    expectError(await sluice.api.get("/api/v1/memories/"), 401);
    const pending = await signUp(sluice.url);
    expect(pending.role).toBe("pending");
    expectError(await add(pending, "I am waiting"), 403);
  });
});

describeEachDatabase("memories, ranked by embeddings", (kind) => {
  let upstream: FakeUpstream;
  const env: Record<string, string> = { EMBEDDING_MODEL: "fake-embed", OPENAI_API_KEY: "sk-fake" };
  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: "sk-fake" });
    env.OPENAI_API_BASE_URL = upstream.baseUrl;
  });
  afterAll(() => upstream?.close());
  const sluice = useServer({ kind, env });
  let alice: TestAccount;
  let bob: TestAccount;

  const add = (account: TestAccount, content: string) => sluice.api.post("/api/v1/memories/add", { content }, account.token);
  const query = (account: TestAccount, content: string, k?: number) =>
    sluice.api.post("/api/v1/memories/query", { content, k }, account.token);

  it("sets up two users", async () => {
    const admin = await signUpAdmin(sluice.url);
    alice = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
  });

  it("embeds each memory as it is added and ranks every memory by cosine similarity", async () => {
    for (const content of [COLOUR, BEES, WORK]) expect((await add(alice, content)).status).toBe(200);
    expect(upstream.embeddingBodies()).toEqual([COLOUR, BEES, WORK].map((content) => ({ model: "fake-embed", input: [content] })));

    const question = "Which colour is my favourite?";
    const answer = await query(alice, question, 3);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const results = answer.body.results as { content: string; score: number }[];
    // Every memory gets a score (a vector search always has k nearest), the closest first.
    expect(results.map((result) => result.content).sort()).toEqual([COLOUR, BEES, WORK].sort());
    const scores = results.map((result) => result.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(results[0]!.content).toBe(COLOUR);
    for (const result of results) {
      expect(result.score).toBeCloseTo(cosineSimilarity(fakeEmbedding(question), fakeEmbedding(result.content)), 5);
    }
    expect(answer.body.distances).toEqual([results.map((result) => result.score)]);
    expect(upstream.embeddingBodies().at(-1)).toEqual({ model: "fake-embed", input: [question] });
  });

  it("embeds a changed memory again", async () => {
    const memories = (await sluice.api.get("/api/v1/memories/", alice.token)).body as { id: string; content: string }[];
    const bees = memories.find((memory) => memory.content === BEES)!;
    const updated = await sluice.api.post(`/api/v1/memories/${bees.id}/update`, { content: "I grow tomatoes" }, alice.token);
    expect(updated.status).toBe(200);
    expect(upstream.embeddingBodies().at(-1)).toEqual({ model: "fake-embed", input: ["I grow tomatoes"] });
    const answer = await query(alice, "tomatoes in my garden");
    expect(answer.body.results).toEqual([expect.objectContaining({ id: bees.id, content: "I grow tomatoes" })]);
  });

  it("keeps each user's memories to themselves", async () => {
    expect((await query(bob, COLOUR, 10)).body.results).toEqual([]);
    expect((await add(bob, "My favourite colour is red")).status).toBe(200);
    const answer = await query(bob, COLOUR, 10);
    expect(answer.body.results.map((result: { content: string }) => result.content)).toEqual(["My favourite colour is red"]);
  });

  it("fails clearly when the upstream's embeddings fail, storing and changing nothing", async () => {
    const before = (await sluice.api.get("/api/v1/memories/", alice.token)).body as { id: string; content: string }[];
    expectError(
      await add(alice, "this will fail"),
      502,
      /^The embeddings of EMBEDDING_MODEL "fake-embed" failed: .* answered 500: embeddings exploded/,
    );
    expectError(
      await sluice.api.post(`/api/v1/memories/${before[0]!.id}/update`, { content: "fail here" }, alice.token),
      502,
      "embeddings exploded",
    );
    expectError(await query(alice, "why do things fail?"), 502, "embeddings exploded");
    expect((await sluice.api.get("/api/v1/memories/", alice.token)).body).toEqual(before);
  });
});

describeEachDatabase("memories, when embeddings are turned on later", (kind) => {
  let upstream: FakeUpstream;
  let database: TestDatabase;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await upstream?.close();
    await database?.drop();
  });

  it("gives older memories their vectors at the next query, once", async () => {
    const first = await startServer({ kind, database, env: { OPENAI_API_BASE_URL: upstream.baseUrl } });
    let alice: TestAccount;
    try {
      alice = await signUpAdmin(first.url);
      for (const content of [WORK, COLOUR, BEES])
        expect((await api(first.url, alice.token).post("/api/v1/memories/add", { content })).status).toBe(200);
    } finally {
      await first.stop();
    }
    expect(upstream.embeddingBodies()).toEqual([]);

    const second = await startServer({ kind, database, env: { OPENAI_API_BASE_URL: upstream.baseUrl, EMBEDDING_MODEL: "fake-embed" } });
    try {
      const client = api(second.url, alice.token);
      const answer = await client.post("/api/v1/memories/query", { content: "favourite colour", k: 3 });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.results[0]).toMatchObject({
        content: COLOUR,
        score: cosineSimilarity(fakeEmbedding("favourite colour"), fakeEmbedding(COLOUR)),
      });
      expect(answer.body.results).toHaveLength(3);
      const made = upstream.embeddingBodies().flatMap((body) => body.input);
      expect(made.sort()).toEqual(["favourite colour", WORK, COLOUR, BEES].sort());

      // Stored: the next query embeds only itself.
      await client.post("/api/v1/memories/query", { content: "bees", k: 3 });
      expect(upstream.embeddingBodies().at(-1)).toEqual({ model: "fake-embed", input: ["bees"] });
      expect(upstream.embeddingBodies()).toHaveLength(3);
    } finally {
      await second.stop();
    }
  });
});
