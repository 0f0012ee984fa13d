import { afterAll, describe, expect, it, vi } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";
import { weatherTools } from "./fixtures/plugin-sources.ts";

// Saved plugins do not all stay loaded: imports and start-up check each plugin and unload it,
// use loads a plugin, and at most PLUGIN_MAX_RESIDENT stay loaded. `loaded_at` in the functions
// list is set exactly for the plugins this instance holds loaded.
const MAX_RESIDENT = 3;
const ENV = { PLUGIN_MAX_RESIDENT: String(MAX_RESIDENT), PLUGIN_MAX_IMPORT_ITEMS: "60", PLUGIN_MAX_TOOLS_PER_USER: "2" };

const filters = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: `filter_${index}`,
    name: `Filter ${index}`,
    content: `import { defineFilter } from "@sluice/sdk";\nexport default defineFilter({ inlet(body) { return { ...body, filter: ${index} }; } });\n`,
  }));

describe("plugin residency", () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  let admin: TestAccount;
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
  });
  const listed = async (url: string) =>
    (await api(url, admin.token).get("/api/v1/functions/")).body as Array<{ id: string; loaded_at: number | null }>;
  const resident = async (url: string) => (await listed(url)).filter((row) => row.loaded_at !== null).map((row) => row.id);

  it("refuses an import over PLUGIN_MAX_IMPORT_ITEMS, and keeps none of an import loaded", async () => {
    database = await createTestDatabase("sqlite");
    const server = await startServer({ kind: "sqlite", database, env: ENV });
    servers.push(server);
    admin = await signUpAdmin(server.url);
    const client = api(server.url, admin.token);

    expectError(
      await client.post("/api/v1/functions/import", filters(61)),
      413,
      "at most 60 plugins (PLUGIN_MAX_IMPORT_ITEMS); this one has 61",
    );
    expect(await listed(server.url)).toEqual([]);

    const imported = await client.post("/api/v1/functions/import", filters(60));
    expect(imported.status, JSON.stringify(imported.body).slice(0, 500)).toBe(200);
    expect(imported.body).toHaveLength(60);
    expect((await listed(server.url)).length).toBe(60);
    expect(await resident(server.url)).toEqual([]);
  });

  it("loads a plugin on use, and keeps at most PLUGIN_MAX_RESIDENT loaded", async () => {
    const server = servers[0]!;
    const client = api(server.url, admin.token);
    for (let index = 0; index < 8; index++) {
      const shown = await client.get(`/api/v1/functions/id/filter_${index}`);
      expect(shown.body.loaded_at).toEqual(expect.any(Number));
    }
    // The least recently used go once they are no longer just handed out (about 2 s).
    await vi.waitFor(async () => expect((await resident(server.url)).length).toBeLessThanOrEqual(MAX_RESIDENT), {
      timeout: 15_000,
      interval: 250,
    });
    // An unloaded plugin loads again on its next use, and works.
    const again = await client.get("/api/v1/functions/id/filter_0");
    expect(again.body.loaded_at).toEqual(expect.any(Number));
    expect((await client.post("/api/v1/functions/id/filter_0/toggle")).body.is_active).toBe(true);
  });

  it("checks stored plugins at start-up without keeping them loaded", async () => {
    await servers[0]!.stop();
    servers.length = 0;
    const restarted = await startServer({ kind: "sqlite", database: database!, env: { ...ENV, LOG_LEVEL: "info" } }); // to see the check's log line
    servers.push(restarted);
    await vi.waitFor(() => expect(restarted.output()).toContain("plugins checked at start-up"), { timeout: 30_000, interval: 250 });
    expect(restarted.output()).toMatch(/"loaded":1,"failed":0/); // filter_0, the one active function
    expect(await resident(restarted.url)).toEqual([]);
  });

  it("refuses a user's tool past PLUGIN_MAX_TOOLS_PER_USER, naming the limit; admins are not counted", async () => {
    const server = servers[0]!;
    const author = await signUpUser(server.url, admin);
    const granted = await api(server.url, admin.token).post(`/api/v1/users/${author.id}/update`, {
      permissions: { workspace: { tools: true } },
    });
    expect(granted.status, JSON.stringify(granted.body)).toBe(200);
    const asAuthor = api(server.url, author.token);
    const tool = (id: string) => ({ id, name: id, content: weatherTools });
    expect((await asAuthor.post("/api/v1/tools/create", tool("mine_1"))).status).toBe(200);
    expect((await asAuthor.post("/api/v1/tools/create", tool("mine_2"))).status).toBe(200);
    expectError(
      await asAuthor.post("/api/v1/tools/create", tool("mine_3")),
      403,
      "You have 2 tools, the most one user may have (PLUGIN_MAX_TOOLS_PER_USER=2)",
    );
    expect((await asAuthor.get("/api/v1/tools/id/mine_3")).status).toBe(404);
    // Deleting one makes room again.
    expect((await asAuthor.delete("/api/v1/tools/id/mine_1/delete")).status).toBe(200);
    expect((await asAuthor.post("/api/v1/tools/create", tool("mine_3"))).status).toBe(200);
    const asAdmin = api(server.url, admin.token);
    for (const id of ["admin_1", "admin_2", "admin_3"]) expect((await asAdmin.post("/api/v1/tools/create", tool(id))).status).toBe(200);
  });
});
