import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectDatabase } from "../src/db/connect-database.ts";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { api, type Api } from "./helpers/api.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A URL where nothing listens (port 9, discard, is closed on loopback). */
const DEAD_URL = "http://127.0.0.1:9/v1";

function chatBody(model: string, text: string) {
  return { model, stream: false, messages: [{ role: "user", content: text }] };
}

async function modelIds(client: Api, token: string): Promise<string[]> {
  const { status, body } = await client.request("GET", "/api/models", { token });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.data.map((model: { id: string }) => model.id);
}

describeEachDatabase("upstream connections", (kind) => {
  let database: TestDatabase;
  let first: FakeUpstream;
  let second: FakeUpstream;
  let ollama: FakeUpstream;
  let server: RunningServer;
  let client: Api;
  let admin: TestAccount;
  let user: TestAccount;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    first = await startFakeUpstream({ models: ["first-a", "first-b"], apiKey: "sk-first" });
    second = await startFakeUpstream({ models: ["second-model"], apiKey: "sk-second" });
    ollama = await startFakeUpstream({ models: ["llama-fake:1b"], ollamaVersion: "0.9.9" });
    env = {
      OPENAI_API_BASE_URL: first.baseUrl,
      OPENAI_API_KEY: "sk-first",
      OLLAMA_PROBE_URL: ollama.baseUrl.replace(/\/v1$/, ""),
    };
    server = await startServer({ kind, database, env });
    client = api(server.url);
    admin = await signUpAdmin(server.url);
    user = await signUpUser(server.url, admin);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    await Promise.all([first, second, ollama].map((upstream) => upstream?.close()));
  });

  it("seeds the connections from the environment and shows them with Open WebUI's shape", async () => {
    const { status, body } = await client.get("/openai/config", admin.token);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({
      ENABLE_OPENAI_API: true,
      OPENAI_API_BASE_URLS: [first.baseUrl],
      OPENAI_API_KEYS: ["sk-first"],
      OPENAI_API_CONFIGS: {},
    });
    expect((await client.get("/ollama/config", admin.token)).body).toEqual({
      ENABLE_OLLAMA_API: true,
      OLLAMA_BASE_URLS: [],
      OLLAMA_API_CONFIGS: {},
    });
    expect(await modelIds(client, user.token)).toEqual(expect.arrayContaining(["first-a", "first-b"]));
  });

  it("keeps the keys sealed in the database", async () => {
    const db = connectDatabase({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    try {
      const row = await db.selectFrom("config").select("value").where("key", "=", "connections.openai").executeTakeFirstOrThrow();
      expect(row.value).toContain(first.baseUrl);
      expect(row.value).not.toContain("sk-first");
    } finally {
      await db.destroy();
    }
  });

  it("is for admins only", async () => {
    for (const [method, path, body] of [
      ["GET", "/openai/config"],
      ["POST", "/openai/config/update", { OPENAI_API_BASE_URLS: [], OPENAI_API_KEYS: [], OPENAI_API_CONFIGS: {} }],
      ["POST", "/openai/verify", { url: first.baseUrl, key: "sk-first" }],
      ["GET", "/ollama/config"],
      ["POST", "/ollama/config/update", { OLLAMA_BASE_URLS: [], OLLAMA_API_CONFIGS: {} }],
      ["POST", "/ollama/verify", { url: "http://127.0.0.1:9" }],
      ["GET", "/ollama/detect"],
    ] as const) {
      expectError(await client.request(method, path, { body, token: user.token }), 403);
      expectError(await client.request(method, path, { body }), 401);
    }
    expect((await client.get("/openai/config", admin.token)).body.OPENAI_API_BASE_URLS).toEqual([first.baseUrl]);
  });

  it("refuses bad input with a detail and changes nothing", async () => {
    const update = (body: unknown) => client.request("POST", "/openai/config/update", { body, token: admin.token });
    expectError(await update({ OPENAI_API_BASE_URLS: "http://x" }), 400, "OPENAI_API_BASE_URLS");
    expectError(await update({ OPENAI_API_BASE_URLS: ["ftp://example.com"], OPENAI_API_KEYS: [] }), 400, "http:// or https://");
    expectError(await update({ OPENAI_API_BASE_URLS: ["not a url"] }), 400);
    expectError(await update({ OPENAI_API_BASE_URLS: [first.baseUrl], OPENAI_API_CONFIGS: { "0": { enable: "yes" } } }), 400, "enable");
    expectError(await client.request("POST", "/openai/config/update", { rawBody: "{", token: admin.token }), 400);
    expectError(await client.request("POST", "/ollama/config/update", { body: { OLLAMA_BASE_URLS: [42] }, token: admin.token }), 400);
    expectError(await client.request("POST", "/openai/verify", { body: { key: "x" }, token: admin.token }), 400, "url");
    expect((await client.get("/openai/config", admin.token)).body.OPENAI_API_BASE_URLS).toEqual([first.baseUrl]);
  });

  it("tests a connection: the upstream's models, or why it cannot be used", async () => {
    const verify = (body: unknown) => client.request("POST", "/openai/verify", { body, token: admin.token });
    const good = await verify({ url: first.baseUrl, key: "sk-first", config: {} });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect(good.body.data.map((model: { id: string }) => model.id)).toEqual(["first-a", "first-b"]);
    const wrongKey = await verify({ url: first.baseUrl, key: "sk-wrong" });
    expectError(wrongKey, 502, "401");
    expect(wrongKey.body.detail).toMatch(/Incorrect API key/);
    expectError(await verify({ url: DEAD_URL, key: "" }), 502, "127.0.0.1:9");

    const ollamaRoot = ollama.baseUrl.replace(/\/v1$/, "");
    const ollamaStatus = await client.request("POST", "/ollama/verify", { body: { url: ollamaRoot }, token: admin.token });
    expect(ollamaStatus.status, JSON.stringify(ollamaStatus.body)).toBe(200);
    expect(ollamaStatus.body).toMatchObject({ version: "0.9.9", models: [{ name: "llama-fake:1b" }] });
    expectError(await client.request("POST", "/ollama/verify", { body: { url: first.baseUrl }, token: admin.token }), 502);
  });

  it("stores an update and uses it at once: a second upstream's models list and answer", async () => {
    first.requests.length = 0;
    const update = await client.post(
      "/openai/config/update",
      {
        ENABLE_OPENAI_API: true,
        OPENAI_API_BASE_URLS: [first.baseUrl, `${second.baseUrl}/`],
        OPENAI_API_KEYS: ["sk-first", "sk-second", "sk-extra"],
        OPENAI_API_CONFIGS: { "1": { enable: true, tags: ["team"] }, "7": { enable: true } },
      },
      admin.token,
    );
    expect(update.status, JSON.stringify(update.body)).toBe(200);
    const expected = {
      ENABLE_OPENAI_API: true,
      OPENAI_API_BASE_URLS: [first.baseUrl, second.baseUrl],
      OPENAI_API_KEYS: ["sk-first", "sk-second"],
      OPENAI_API_CONFIGS: { "1": { enable: true, tags: ["team"] } },
    };
    expect(update.body).toEqual(expected);
    expect((await client.get("/openai/config", admin.token)).body).toEqual(expected);

    expect(await modelIds(client, user.token)).toEqual(expect.arrayContaining(["first-a", "first-b", "second-model"]));
    const answer = await client.request("POST", "/api/chat/completions", {
      body: chatBody("second-model", "hello second"),
      token: user.token,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toContain("hello second");
    expect(second.chatBodies().some((body) => JSON.stringify(body.messages).includes("hello second"))).toBe(true);
    expect(second.requests.every((request) => request.headers.authorization === "Bearer sk-second")).toBe(true);
  });

  it("hides a disabled connection's models and stops sending it chats", async () => {
    const current = (await client.get("/openai/config", admin.token)).body;
    const disabled = await client.post(
      "/openai/config/update",
      { ...current, OPENAI_API_CONFIGS: { "1": { enable: false, tags: ["team"] } } },
      admin.token,
    );
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    const ids = await modelIds(client, user.token);
    expect(ids).toEqual(expect.arrayContaining(["first-a"]));
    expect(ids).not.toContain("second-model");
    const chats = second.chatBodies().length;
    const refused = await client.request("POST", "/api/chat/completions", {
      body: chatBody("second-model", "still there?"),
      token: user.token,
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(typeof refused.body.detail).toBe("string");
    expect(second.chatBodies().length).toBe(chats);

    // Switching the OpenAI API off as a whole leaves no upstream model.
    const off = await client.post("/openai/config/update", { ...current, ENABLE_OPENAI_API: false }, admin.token);
    expect(off.body.ENABLE_OPENAI_API).toBe(false);
    expect(await modelIds(client, user.token)).not.toContain("first-a");
    // Left out, ENABLE_OPENAI_API keeps its value.
    const kept = await client.post(
      "/openai/config/update",
      { OPENAI_API_BASE_URLS: current.OPENAI_API_BASE_URLS, OPENAI_API_KEYS: current.OPENAI_API_KEYS },
      admin.token,
    );
    expect(kept.body.ENABLE_OPENAI_API).toBe(false);
    await client.post("/openai/config/update", { ...current, ENABLE_OPENAI_API: true }, admin.token);
    expect(await modelIds(client, user.token)).toEqual(expect.arrayContaining(["first-a", "second-model"]));
  });

  it("applies a connection's prefix_id and model_ids as Open WebUI does, and sends the upstream its own id", async () => {
    const current = (await client.get("/openai/config", admin.token)).body;
    const update = await client.post(
      "/openai/config/update",
      {
        ...current,
        ENABLE_OPENAI_API: true,
        OPENAI_API_CONFIGS: { "0": { enable: true, model_ids: ["first-b", "first-unlisted"] }, "1": { enable: true, prefix_id: "team" } },
      },
      admin.token,
    );
    expect(update.status, JSON.stringify(update.body)).toBe(200);
    const ids = await modelIds(client, user.token);
    // model_ids: exactly those, as given (the upstream is not asked); prefix_id: "<prefix>.<id>".
    expect(ids).toEqual(expect.arrayContaining(["first-b", "first-unlisted", "team.second-model"]));
    expect(ids).not.toContain("first-a");
    expect(ids).not.toContain("second-model");

    const answer = await client.request("POST", "/api/chat/completions", {
      body: chatBody("team.second-model", "hello prefixed"),
      token: user.token,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.model).toBe("team.second-model");
    const sent = second.chatBodies().find((body) => JSON.stringify(body.messages).includes("hello prefixed"));
    expect(sent?.model).toBe("second-model");
    // The unprefixed id is not a model any more.
    const refused = await client.request("POST", "/api/chat/completions", {
      body: chatBody("second-model", "unprefixed"),
      token: user.token,
    });
    expect(refused.status).toBe(404);

    await client.post("/openai/config/update", current, admin.token);
    expect(await modelIds(client, user.token)).toEqual(expect.arrayContaining(["first-a", "second-model"]));
  });

  it("offers a local Ollama and, once added, chats through its OpenAI-compatible API", async () => {
    const ollamaRoot = ollama.baseUrl.replace(/\/v1$/, "");
    expect((await client.get("/ollama/detect", admin.token)).body).toEqual({ url: ollamaRoot, version: "0.9.9" });
    const added = await client.post(
      "/ollama/config/update",
      { ENABLE_OLLAMA_API: true, OLLAMA_BASE_URLS: [`${ollamaRoot}/`], OLLAMA_API_CONFIGS: { "0": { enable: true, key: "" } } },
      admin.token,
    );
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toEqual({
      ENABLE_OLLAMA_API: true,
      OLLAMA_BASE_URLS: [ollamaRoot],
      OLLAMA_API_CONFIGS: { "0": { enable: true, key: "" } },
    });
    expect(await modelIds(client, user.token)).toContain("llama-fake:1b");
    const answer = await client.request("POST", "/api/chat/completions", {
      body: chatBody("llama-fake:1b", "hi llama"),
      token: user.token,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toContain("hi llama");

    await client.post(
      "/ollama/config/update",
      { OLLAMA_BASE_URLS: [ollamaRoot], OLLAMA_API_CONFIGS: { "0": { enable: false } } },
      admin.token,
    );
    expect(await modelIds(client, user.token)).not.toContain("llama-fake:1b");
  });

  it("seeds only once: after a restart with the same environment the stored connections stay", async () => {
    await server.stop();
    server = await startServer({ kind, database, env: { ...env, OPENAI_API_BASE_URL: DEAD_URL, OPENAI_API_KEY: "sk-env" } });
    client = api(server.url);
    const { body } = await client.get("/openai/config", admin.token);
    expect(body.OPENAI_API_BASE_URLS).toEqual([first.baseUrl, second.baseUrl]);
    expect(body.OPENAI_API_KEYS).toEqual(["sk-first", "sk-second"]);
    expect(await modelIds(client, user.token)).toEqual(expect.arrayContaining(["first-a", "second-model"]));
  });
});

describe("connection changes across two instances sharing PostgreSQL and Redis", () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  let upstream: FakeUpstream | undefined;
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
    await upstream?.close();
  });

  it("shows a connection added on one instance in the other's model list at once", async () => {
    database = await createTestDatabase("postgres");
    upstream = await startFakeUpstream({ models: ["shared-model"] });
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}` };
    // Two starts on a busy machine can take a while; the change itself must show within 5 s.
    const options = { kind: "postgres" as const, database, env, startTimeoutMs: 60_000 };
    servers.push(await startServer(options), await startServer(options));
    const [one, other] = servers as [RunningServer, RunningServer];
    const admin = await signUpAdmin(one.url);
    const onOther = api(other.url);
    // The other instance lists (and caches) its models before the change.
    expect(await modelIds(onOther, admin.token)).not.toContain("shared-model");
    const update = await api(one.url, admin.token).post("/openai/config/update", {
      OPENAI_API_BASE_URLS: [upstream.baseUrl],
      OPENAI_API_KEYS: [""],
      OPENAI_API_CONFIGS: {},
    });
    expect(update.status, JSON.stringify(update.body)).toBe(200);
    await vi.waitFor(async () => expect(await modelIds(onOther, admin.token)).toContain("shared-model"), { timeout: 5000, interval: 100 });
    expect((await onOther.get("/openai/config", admin.token)).body.OPENAI_API_BASE_URLS).toEqual([upstream.baseUrl]);
  }, 150_000);
});
