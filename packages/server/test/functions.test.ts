import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";
import {
  classAction,
  manifoldPipe,
  noExport,
  syntaxError,
  throwsAtLoad,
  toggleFilter,
  turnLimitFilter,
  weatherTools,
} from "./fixtures/plugin-sources.ts";

describeEachDatabase("functions API", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let user: TestAccount;

  const create = (body: object, token = admin.token) => sluice.api.post("/api/v1/functions/create", body, token);

  it("sets up an admin and a user", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
  });

  it("creates a filter: kind, frontmatter and description read from the code", async () => {
    const { status, body } = await create({ id: "Turn_Limit", name: "Turn limit", content: turnLimitFilter, meta: {} });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({
      id: "turn_limit",
      type: "filter",
      name: "Turn limit",
      is_active: false,
      is_global: false,
      user_id: admin.id,
      load_error: null,
      meta: {
        description: "Stops a conversation after N user turns.",
        manifest: { title: "Turn Limit", author: "jane", version: "1.2.0", required_sluice_version: ">=0.1" },
        has_user_valves: true,
      },
    });
    expect(typeof body.created_at).toBe("number");
    expect(body.created_at).toBeLessThan(Date.now() / 1000 + 5);
  });

  it("creates a manifold pipe, a toggle filter and a class-form action", async () => {
    expect((await create({ id: "echo", name: "Echo", content: manifoldPipe })).body.type).toBe("pipe");
    const toggle = await create({ id: "toggle_me", name: "Toggle", content: toggleFilter, meta: { description: "Mine" } });
    expect(toggle.body).toMatchObject({
      type: "filter",
      meta: { toggle: true, description: "Mine", icon: "https://example.com/icon.svg" },
    });
    expect((await create({ id: "summarise", name: "Summarise", content: classAction })).body.type).toBe("action");
  });

  it("refuses bad ids, taken ids and code that does not load, storing nothing", async () => {
    expectError(await create({ id: "bad-id!", name: "x", content: toggleFilter }), 400, "lower-case letters");
    expectError(await create({ id: "echo", name: "x", content: toggleFilter }), 400, "already taken");
    const syntax = await create({ id: "broken", name: "Broken", content: syntaxError });
    expectError(syntax, 400, /line 4, column \d+/);
    expectError(await create({ id: "broken", name: "Broken", content: throwsAtLoad }), 400, "config file missing");
    expectError(await create({ id: "broken", name: "Broken", content: noExport }), 400, /No plugin found|export/i);
    expectError(await create({ id: "broken", name: "Broken", content: weatherTools }), 400, /Tools/);
    expectError(await create({ id: "broken", name: "Broken", content: `// ${"x".repeat(1024 * 1024)}\n${toggleFilter}` }), 400, /limit/i);
    expectError(await create({ id: "broken", name: "", content: toggleFilter }), 400, "name");
    expectError(await sluice.api.get("/api/v1/functions/id/broken", admin.token), 404);
  });

  it("lists functions for verified users without content, and the full list for admins", async () => {
    const list = await sluice.api.get("/api/v1/functions/", user.token);
    expect(list.status).toBe(200);
    expect(list.body.map((row: { id: string }) => row.id).sort()).toEqual(["echo", "summarise", "toggle_me", "turn_limit"]);
    expect(list.body[0].content).toBeUndefined();
    const adminList = await sluice.api.get("/api/v1/functions/list", admin.token);
    expect(adminList.body.find((row: { id: string }) => row.id === "echo").user).toMatchObject({ id: admin.id, role: "admin" });
    expectError(await sluice.api.get("/api/v1/functions/list", user.token), 403);
    expectError(await create({ id: "mine", name: "Mine", content: toggleFilter }, user.token), 403);
    expectError(await sluice.api.get("/api/v1/functions/"), 401);
  });

  it("reuses the loaded plugin until the code changes", async () => {
    const first = await sluice.api.get("/api/v1/functions/id/turn_limit", admin.token);
    const second = await sluice.api.get("/api/v1/functions/id/turn_limit", admin.token);
    expect(first.body.loaded_at).toEqual(expect.any(Number));
    expect(second.body.loaded_at).toBe(first.body.loaded_at);
    const updated = await sluice.api.post(
      "/api/v1/functions/id/turn_limit/update",
      { name: "Turn limit 2", content: turnLimitFilter.replace("version: 1.2.0", "version: 1.3.0") },
      admin.token,
    );
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.meta.manifest.version).toBe("1.3.0");
    expect(updated.body.loaded_at).toBeGreaterThan(first.body.loaded_at);
    const third = await sluice.api.get("/api/v1/functions/id/turn_limit", admin.token);
    expect(third.body).toMatchObject({ name: "Turn limit 2", loaded_at: updated.body.loaded_at });
  });

  it("refuses an update that does not load and keeps the stored plugin as it was", async () => {
    await sluice.api.post("/api/v1/functions/id/turn_limit/toggle", undefined, admin.token);
    const before = await sluice.api.get("/api/v1/functions/id/turn_limit", admin.token);
    expect(before.body.is_active).toBe(true);
    expectError(
      await sluice.api.post("/api/v1/functions/id/turn_limit/update", { name: "x", content: syntaxError }, admin.token),
      400,
      "line 4",
    );
    const after = await sluice.api.get("/api/v1/functions/id/turn_limit", admin.token);
    expect(after.body).toMatchObject({
      is_active: true,
      name: "Turn limit 2",
      content: before.body.content,
      loaded_at: before.body.loaded_at,
    });
    expectError(await sluice.api.post("/api/v1/functions/id/nope/update", { name: "x", content: toggleFilter }, admin.token), 404);
  });

  it("toggles active and global", async () => {
    const global = await sluice.api.post("/api/v1/functions/id/echo/toggle/global", undefined, admin.token);
    expect(global.body.is_global).toBe(true);
    expect((await sluice.api.post("/api/v1/functions/id/echo/toggle/global", undefined, admin.token)).body.is_global).toBe(false);
    expect((await sluice.api.post("/api/v1/functions/id/echo/toggle", undefined, admin.token)).body.is_active).toBe(true);
    expectError(await sluice.api.post("/api/v1/functions/id/echo/toggle", undefined, user.token), 403);
  });

  it("serves valve schemas, validates and stores only the keys that were set", async () => {
    const spec = await sluice.api.get("/api/v1/functions/id/turn_limit/valves/spec", admin.token);
    expect(spec.body.properties.maxTurns).toMatchObject({ type: "integer", default: 8, minimum: 1 });
    expect(spec.body.properties.apiKey.input).toEqual({ type: "password" });
    expect((await sluice.api.get("/api/v1/functions/id/toggle_me/valves/spec", admin.token)).body).toBeNull();

    expect((await sluice.api.get("/api/v1/functions/id/turn_limit/valves", admin.token)).body).toEqual({});
    const invalid = await sluice.api.post("/api/v1/functions/id/turn_limit/valves/update", { maxTurns: 0 }, admin.token);
    expectError(invalid, 400, "maxTurns");
    expect((await sluice.api.get("/api/v1/functions/id/turn_limit/valves", admin.token)).body).toEqual({});

    const saved = await sluice.api.post(
      "/api/v1/functions/id/turn_limit/valves/update",
      { maxTurns: 3, priority: null, apiKey: "sk-secret" },
      admin.token,
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toEqual({ maxTurns: 3, apiKey: "sk-secret" });
    expect((await sluice.api.get("/api/v1/functions/id/turn_limit/valves", admin.token)).body).toEqual({
      maxTurns: 3,
      apiKey: "sk-secret",
    });
    expectError(await sluice.api.get("/api/v1/functions/id/turn_limit/valves", user.token), 403);
    expectError(await sluice.api.post("/api/v1/functions/id/toggle_me/valves/update", { a: 1 }, admin.token), 400, "no valves");
  });

  it("keeps user valves per user, with secrets masked for non-admins", async () => {
    const spec = await sluice.api.get("/api/v1/functions/id/turn_limit/valves/user/spec", user.token);
    expect(spec.body.properties.maxTurns.default).toBe(4);
    expectError(
      await sluice.api.post("/api/v1/functions/id/turn_limit/valves/user/update", { maxTurns: "many" }, user.token),
      400,
      "maxTurns",
    );
    const saved = await sluice.api.post(
      "/api/v1/functions/id/turn_limit/valves/user/update",
      { maxTurns: 2, token: "tok-123" },
      user.token,
    );
    expect(saved.body).toEqual({ maxTurns: 2, token: "********" });
    expect((await sluice.api.get("/api/v1/functions/id/turn_limit/valves/user", user.token)).body).toEqual({
      maxTurns: 2,
      token: "********",
    });
    // Sending the mask back keeps the secret; the admin's own user valves are separate.
    await sluice.api.post("/api/v1/functions/id/turn_limit/valves/user/update", { maxTurns: 5, token: "********" }, user.token);
    expect((await sluice.api.get("/api/v1/functions/id/turn_limit/valves/user", admin.token)).body).toEqual({});
  });

  it("exports with content, and valves only when asked", async () => {
    const plain = await sluice.api.get("/api/v1/functions/export", admin.token);
    const turnLimit = plain.body.find((row: { id: string }) => row.id === "turn_limit");
    expect(turnLimit.content).toContain("defineFilter");
    expect(turnLimit.valves).toBeUndefined();
    const withValves = await sluice.api.get("/api/v1/functions/export?include_valves=true", admin.token);
    expect(withValves.body.find((row: { id: string }) => row.id === "turn_limit").valves).toEqual({ maxTurns: 3, apiKey: "sk-secret" });
  });

  it("imports an exported list atomically: all or nothing", async () => {
    const exported = (await sluice.api.get("/api/v1/functions/export?include_valves=true", admin.token)).body;
    const renamed = exported.map((row: { id: string; name: string }) => ({ ...row, id: `${row.id}_copy`, name: `${row.name} (copy)` }));
    const failing = [...renamed, { id: "bad_one", name: "Bad", content: syntaxError }];
    expectError(await sluice.api.post("/api/v1/functions/sync", { functions: failing }, admin.token), 400, "bad_one");
    const ids = (await sluice.api.get("/api/v1/functions/", admin.token)).body.map((row: { id: string }) => row.id);
    expect(ids.filter((id: string) => id.endsWith("_copy"))).toEqual([]);

    const imported = await sluice.api.post("/api/v1/functions/import", renamed, admin.token);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toHaveLength(exported.length);
    expect((await sluice.api.get("/api/v1/functions/id/turn_limit_copy/valves", admin.token)).body).toEqual({
      maxTurns: 3,
      apiKey: "sk-secret",
    });
    // Importing again updates in place.
    const again = await sluice.api.post("/api/v1/functions/sync", { functions: [{ ...renamed[0], name: "Renamed again" }] }, admin.token);
    expect(again.body[0].name).toBe("Renamed again");
  });

  it("deletes, and 404s for unknown ids", async () => {
    expect((await sluice.api.delete("/api/v1/functions/id/summarise/delete", admin.token)).body).toBe(true);
    expectError(await sluice.api.get("/api/v1/functions/id/summarise", admin.token), 404, "not found");
    expectError(await sluice.api.delete("/api/v1/functions/id/summarise/delete", admin.token), 404);
  });
});
