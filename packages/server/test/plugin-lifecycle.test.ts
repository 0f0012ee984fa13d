import { afterAll, expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { startServer, TEST_SECRET_KEY } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";
import { connectDatabase } from "../src/db/connect-database.ts";
import { loadConfig } from "../src/config.ts";
import { turnLimitFilter } from "./fixtures/plugin-sources.ts";

/** Opens the test database directly, as an operator with database access would. */
function openDatabase(database: TestDatabase) {
  return connectDatabase(loadConfig({ DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl }));
}

async function waitFor<T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeEachDatabase("stored plugins across restarts", (kind) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it("stores secret valves encrypted, deactivates a plugin that no longer loads at start-up and shows why", async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    const first = await startServer({ kind, database });
    const admin = await signUpAdmin(first.url);
    const client = api(first.url, admin.token);
    await client.post("/api/v1/functions/create", { id: "turn_limit", name: "Turn limit", content: turnLimitFilter });
    await client.post("/api/v1/functions/id/turn_limit/toggle");
    await client.post("/api/v1/functions/id/turn_limit/valves/update", { apiKey: "sk-very-secret", maxTurns: 2 });
    await first.stop();

    const db = openDatabase(database);
    try {
      const row = await db.selectFrom("function").select(["valves", "content"]).where("id", "=", "turn_limit").executeTakeFirstOrThrow();
      expect(row.valves).toContain('"maxTurns":2');
      expect(row.valves).not.toContain("sk-very-secret");
      // The stored code no longer compiles (as after an SDK change it depended on).
      await db
        .updateTable("function")
        .set({ content: row.content.replace("export default", "export default default") })
        .where("id", "=", "turn_limit")
        .execute();
    } finally {
      await db.destroy();
    }

    const second = await startServer({ kind, database });
    try {
      const restarted = api(second.url, admin.token);
      const listed = await waitFor(
        async () => (await restarted.get("/api/v1/functions/")).body.find((row: { id: string }) => row.id === "turn_limit"),
        (row) => row.is_active === false,
      );
      expect(listed).toMatchObject({
        is_active: false,
        load_error: expect.stringMatching(/^Syntax error at line \d+.*\(reported by instance .+ at \d{4}-/),
      });
      const shown = await restarted.get("/api/v1/functions/id/turn_limit");
      expect(shown.body).toMatchObject({ is_active: false, load_error: expect.stringContaining("Syntax error"), loaded_at: null });
      // Activating it again is refused with the reason while it still does not load.
      const toggled = await restarted.post("/api/v1/functions/id/turn_limit/toggle");
      expect(toggled.status).toBe(400);
      expect(toggled.body.detail).toContain("Syntax error");
      // The secret is still readable by the admin with the same key.
      expect((await restarted.get("/api/v1/functions/id/turn_limit/valves")).body).toEqual({ apiKey: "sk-very-secret", maxTurns: 2 });
      // A fixed update clears the error.
      const fixed = await restarted.post("/api/v1/functions/id/turn_limit/update", { name: "Turn limit", content: turnLimitFilter });
      expect(fixed.body).toMatchObject({ load_error: null });
      expect((await restarted.post("/api/v1/functions/id/turn_limit/toggle")).body.is_active).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it("drops secrets it can no longer decrypt when the secret key changes, instead of leaking ciphertext", async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    const first = await startServer({ kind, database });
    const admin = await signUpAdmin(first.url);
    await api(first.url, admin.token).post("/api/v1/functions/create", { id: "turn_limit", name: "Turn limit", content: turnLimitFilter });
    await api(first.url, admin.token).post("/api/v1/functions/id/turn_limit/valves/update", { apiKey: "sk-1", maxTurns: 2 });
    await first.stop();
    const second = await startServer({ kind, database, env: { WEBUI_SECRET_KEY: `${TEST_SECRET_KEY}-rotated` } });
    try {
      const signIn = await api(second.url).post("/api/v1/auths/signin", { email: admin.email, password: admin.password });
      expect((await api(second.url, signIn.body.token).get("/api/v1/functions/id/turn_limit/valves")).body).toEqual({ maxTurns: 2 });
    } finally {
      await second.stop();
    }
  });
});
