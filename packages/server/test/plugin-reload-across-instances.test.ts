import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// Several-instances issue, point 1: a save arriving through the change feed while another instance
// was still loading the plugin made that load fail ("was removed while it was loading"), and the
// failing instance switched the plugin off for every instance.

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const filter = (version: string, loadMs: number) => `/**
 * version: ${version}
 */
import { defineFilter } from "@sluice/sdk";
const end = Date.now() + ${loadMs};
while (Date.now() < end) {}
export default defineFilter({ inlet: (body) => body });
`;

describe("a plugin changed while another instance loads it", () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
  });

  it("is loaded again, never switched off", { timeout: 60_000 }, async () => {
    database = await createTestDatabase("postgres");
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}` };
    servers.push(await startServer({ kind: "postgres", database, env }), await startServer({ kind: "postgres", database, env }));
    const [first, second] = servers as [RunningServer, RunningServer];
    const admin = await signUpAdmin(first.url);
    const onFirst = api(first.url, admin.token);
    const onSecond = api(second.url, admin.token);

    expect((await onFirst.post("/api/v1/functions/create", { id: "flip", name: "Flip", content: filter("1.0.0", 1500) })).status).toBe(200);
    expect((await onFirst.post("/api/v1/functions/id/flip/toggle")).body).toMatchObject({ is_active: true });

    // The second instance starts loading the slow version…
    const reading = onSecond.get("/api/v1/functions/id/flip");
    await new Promise((resolve) => setTimeout(resolve, 300));
    // …saves a fast one meanwhile, and the first instance saves another 100 ms later.
    expect((await onSecond.post("/api/v1/functions/id/flip/update", { name: "Flip", content: filter("2.0.0", 0) })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await onFirst.post("/api/v1/functions/id/flip/update", { name: "Flip", content: filter("3.0.0", 0) })).status).toBe(200);

    const read = await reading;
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const client of [onFirst, onSecond]) {
      const row = await client.get("/api/v1/functions/id/flip");
      expect(row.body).toMatchObject({ is_active: true, load_error: null, meta: { manifest: { version: "3.0.0" } } });
    }
  });
});
