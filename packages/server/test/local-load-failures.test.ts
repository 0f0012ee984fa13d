import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { startServer, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// Several-instances issue, points 2 and 3: an instance that cannot load a plugin for reasons of its
// own (no npm registry from there) switched it off for every instance, and a healthy instance then
// cleared the reason while leaving it off. Installs ms from the npm registry on the first instance.

const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const TAGGER = `/**
 * requirements: ms@2
 */
import { defineFilter } from "@sluice/sdk";
import ms from "ms";
export default defineFilter({
  inlet(body) {
    const last = body.messages.at(-1);
    last.content = last.content + " [" + ms(60000) + "]";
    return body;
  },
});
`;

const ECHO = `import { definePipe } from "@sluice/sdk";
export default definePipe({ pipe: (body) => "echo: " + body.messages.at(-1).content });
`;

describe("a plugin that cannot load on one instance only", () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  const folders: string[] = [];
  let admin: Awaited<ReturnType<typeof signUpAdmin>>;
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it("stays on everywhere, fails requests there clearly, and that instance says why", { timeout: 180_000 }, async () => {
    database = await createTestDatabase("postgres");
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `sluice-test-${randomBytes(4).toString("hex")}` };
    const isolatedDataDir = mkdtempSync(path.join(tmpdir(), "sluice-no-registry-"));
    folders.push(isolatedDataDir);
    const healthy = await startServer({ kind: "postgres", database, env });
    servers.push(healthy);
    // Its own data folder (no shared install cache) and an npm registry it cannot reach.
    const cutOff = await startServer({
      kind: "postgres",
      database,
      env: { ...env, DATA_DIR: isolatedDataDir, npm_config_registry: "http://127.0.0.1:9/" },
    });
    servers.push(cutOff);
    admin = await signUpAdmin(healthy.url);
    const onHealthy = api(healthy.url, admin.token);
    const onCutOff = api(cutOff.url, admin.token);

    for (const [id, content] of [
      ["tagger", TAGGER],
      ["echo", ECHO],
    ] as const) {
      const saved = await onHealthy.post("/api/v1/functions/create", { id, name: id, content });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      await onHealthy.post(`/api/v1/functions/id/${id}/toggle`);
    }
    await onHealthy.post("/api/v1/functions/id/tagger/toggle/global");
    const chat = (client: typeof onHealthy) =>
      client.post("/api/chat/completions", { model: "echo", stream: false, messages: [{ role: "user", content: "hi" }] });

    expect((await chat(onHealthy)).body).toMatchObject({ choices: [{ message: { content: "echo: hi [1m]" } }] });
    // Where the filter cannot load, the chat fails rather than go through unfiltered.
    const refused = await chat(onCutOff);
    expect(refused).toMatchObject({
      status: 503,
      body: { detail: expect.stringMatching(/^Filter "tagger" cannot run on this server instance: Could not reach the npm registry/) },
    });

    for (const client of [onHealthy, onCutOff]) {
      expect((await client.get("/api/v1/functions/id/tagger")).body).toMatchObject({ is_active: true, is_global: true, load_error: null });
    }
    expect((await onCutOff.get("/api/v1/functions/id/tagger")).body.instance_load_error).toMatch(/Could not reach the npm registry/);
    expect((await onHealthy.get("/api/v1/functions/id/tagger")).body.instance_load_error).toBeNull();
    expect((await chat(onHealthy)).status).toBe(200);
  });

  it("a plugin switched off for its error keeps the reason when another instance loads it fine", { timeout: 60_000 }, async () => {
    const [, cutOff] = servers as [RunningServer, RunningServer];
    const reason = "Plugin threw while loading: the weather service said no (reported by instance other:1 at 2026-12-05T10:00:00.000Z)";
    const client = new pg.Client({ connectionString: database!.databaseUrl });
    await client.connect();
    try {
      await client.query("update function set is_active = false, load_error = $1 where id = 'echo'", [reason]);
    } finally {
      await client.end();
    }
    // The other instance loads the same code fine; the reason stays until someone acts.
    const shown = await api(cutOff.url, admin.token).get("/api/v1/functions/id/echo");
    expect(shown.body).toMatchObject({ is_active: false, load_error: reason });
    expect((await api(cutOff.url, admin.token).get("/api/v1/functions/id/echo")).body.load_error).toBe(reason);
  });
});
