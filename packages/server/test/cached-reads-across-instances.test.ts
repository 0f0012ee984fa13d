import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// What every chat request needs (plugins, models, the signed-in user) is cached in memory; a
// change made on one instance reaches the other at once over Redis, well before the cache's
// 10 s limit.

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** Far below the cache's own 10 s limit: only the change feed can make it. */
const AT_ONCE = { timeout: 2_000, interval: 50 };

const markerFilter = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  inlet(body) {
    const last = body.messages.at(-1);
    if (last && typeof last.content === "string") last.content += " [marked]";
    return body;
  },
});`;

describe("cached reads across two instances sharing PostgreSQL and Redis", () => {
  let database: TestDatabase;
  let upstream: FakeUpstream;
  let first: RunningServer;
  let second: RunningServer;
  let admin: TestAccount;
  let user: TestAccount;

  beforeAll(async () => {
    [database, upstream] = await Promise.all([createTestDatabase("postgres"), startFakeUpstream()]);
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}`, OPENAI_API_BASE_URL: upstream.baseUrl };
    [first, second] = await Promise.all([
      startServer({ kind: "postgres", database, env }),
      startServer({ kind: "postgres", database, env }),
    ]);
    admin = await signUpAdmin(first.url);
    user = await signUpUser(first.url, admin);
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await upstream?.close();
    await database?.drop();
  });

  /** What the upstream got as the last user message of a chat sent through `server`. */
  async function sentThrough(server: RunningServer, model = "fake-small"): Promise<string> {
    upstream.requests.length = 0;
    const answer = await api(server.url, user.token).post("/api/chat/completions", {
      model,
      stream: false,
      messages: [{ role: "user", content: "hello" }],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const messages = upstream.chatBodies().at(-1)!.messages as Array<{ content: string }>;
    return messages.at(-1)!.content;
  }

  it("switching a filter on or off on one instance applies to the next chat on the other", async () => {
    const onFirst = api(first.url, admin.token);
    expect((await onFirst.post("/api/v1/functions/create", { id: "marker", name: "Marker", content: markerFilter })).status).toBe(200);
    await onFirst.post("/api/v1/functions/id/marker/toggle/global");
    expect(await sentThrough(second)).toBe("hello"); // not active yet: cached on the second as such
    expect(await sentThrough(second)).toBe("hello");

    await onFirst.post("/api/v1/functions/id/marker/toggle");
    await vi.waitFor(async () => expect(await sentThrough(second)).toBe("hello [marked]"), AT_ONCE);
    await onFirst.post("/api/v1/functions/id/marker/toggle");
    await vi.waitFor(async () => expect(await sentThrough(second)).toBe("hello"), AT_ONCE);
  });

  it("a model made on one instance is served by the other at once", async () => {
    expect((await sentThrough(second, "fake-large")).length).toBeGreaterThan(0);
    const created = await api(first.url, admin.token).post("/api/v1/models/create", {
      id: "marked-small",
      name: "Marked small",
      base_model_id: "fake-small",
      meta: { filterIds: ["marker"] },
      access_control: null,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await api(first.url, admin.token).post("/api/v1/functions/id/marker/toggle");
    await vi.waitFor(async () => expect(await sentThrough(second, "marked-small")).toBe("hello [marked]"), AT_ONCE);
  });

  it("a password changed on one instance ends the old sessions on the other at once", async () => {
    const me = await api(second.url, user.token).get("/api/v1/auths/");
    expect(me.status).toBe(200);
    const changed = await api(first.url, user.token).post("/api/v1/auths/update/password", {
      password: user.password,
      new_password: "an even better horse battery staple",
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await vi.waitFor(async () => expect((await api(second.url, user.token).get("/api/v1/auths/")).status).toBe(401), AT_ONCE);
  });
});
