import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";
import { turnLimitFilter } from "./fixtures/plugin-sources.ts";

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe("plugin saves across two instances sharing PostgreSQL and Redis", () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
  });

  it("drops the stale isolate on the other instance as soon as a plugin is saved or deleted there", async () => {
    database = await createTestDatabase("postgres");
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}` };
    servers.push(await startServer({ kind: "postgres", database, env }), await startServer({ kind: "postgres", database, env }));
    const [first, second] = servers as [RunningServer, RunningServer];
    const admin = await signUpAdmin(first.url);
    const onFirst = api(first.url, admin.token);
    const onSecond = api(second.url, admin.token);
    const loadedAtOnSecond = async () =>
      (await onSecond.get("/api/v1/functions/")).body.find((row: { id: string }) => row.id === "turn_limit")?.loaded_at;

    await onFirst.post("/api/v1/functions/create", { id: "turn_limit", name: "Turn limit", content: turnLimitFilter });
    // Using it on the second instance loads it there.
    expect((await onSecond.get("/api/v1/functions/id/turn_limit")).body.loaded_at).toEqual(expect.any(Number));
    expect(await loadedAtOnSecond()).toEqual(expect.any(Number));

    const updated = await onFirst.post("/api/v1/functions/id/turn_limit/update", {
      name: "Turn limit",
      content: turnLimitFilter.replace("1.2.0", "1.3.0"),
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    await vi.waitFor(async () => expect(await loadedAtOnSecond()).toBeNull(), { timeout: 5000 });
    // The next use there loads the new code.
    expect((await onSecond.get("/api/v1/functions/id/turn_limit")).body.meta.manifest.version).toBe("1.3.0");
    expect(await loadedAtOnSecond()).toEqual(expect.any(Number));

    await onFirst.delete("/api/v1/functions/id/turn_limit/delete");
    await vi.waitFor(async () => expect((await onSecond.get("/api/v1/functions/")).body).toEqual([]), { timeout: 5000 });
  });
});
