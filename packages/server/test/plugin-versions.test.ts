import { randomUUID } from "node:crypto";
import { afterAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";
import { syntaxError, weatherTools } from "./fixtures/plugin-sources.ts";
import { markerFilter } from "./fixtures/pipeline-plugins.ts";
import { connectDatabase } from "../src/db/connect-database.ts";
import { loadConfig } from "../src/config.ts";

const greeting = (word: string) => `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  inlet(body) {
    body.messages.unshift({ role: "system", content: "${word}" });
    return body;
  },
});
`;

describeEachDatabase("plugin versions", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let user: TestAccount;
  let database: ReturnType<typeof connectDatabase> | undefined;
  const openDatabase = () =>
    (database ??= connectDatabase(loadConfig({ DATA_DIR: sluice.server.dataDir, DATABASE_URL: sluice.server.databaseUrl })));
  afterAll(async () => database?.destroy());

  const versionsOf = (namespace: string, id: string, token = admin.token) =>
    sluice.api.get(`/api/v1/${namespace}/id/${id}/versions`, token);

  it("sets up an admin and a user", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
  });

  it("keeps a version for a create and each update, with who, when and the message", async () => {
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "greet", name: "Greet", content: greeting("hello"), message: "First cut" },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    for (const [word, message] of [
      ["hi", "Shorter"],
      ["hey", undefined],
    ]) {
      const updated = await sluice.api.post(
        "/api/v1/functions/id/greet/update",
        { name: "Greet", content: greeting(word!), message },
        admin.token,
      );
      expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    }
    const { status, body } = await versionsOf("functions", "greet");
    expect(status).toBe(200);
    expect(body.map((version: any) => [version.number, version.message])).toEqual([
      [3, null],
      [2, "Shorter"],
      [1, "First cut"],
    ]);
    expect(body[0]).toMatchObject({ plugin_id: "greet", name: "Greet", user_id: admin.id, user: { id: admin.id, name: admin.name } });
    expect(typeof body[0].created_at).toBe("number");
    expect(body[0].content).toBeUndefined();

    const first = await sluice.api.get(`/api/v1/functions/id/greet/versions/${body[2].id}`, admin.token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ number: 1, content: greeting("hello"), message: "First cut", meta: { description: "" } });
  });

  it("restores a version as a new one and runs the restored code", async () => {
    const versions = (await versionsOf("functions", "greet")).body;
    const restored = await sluice.api.post(`/api/v1/functions/id/greet/versions/${versions[2].id}/restore`, {}, admin.token);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ id: "greet", content: greeting("hello"), load_error: null });
    expect(typeof restored.body.loaded_at).toBe("number");
    expect((await sluice.api.get("/api/v1/functions/id/greet", admin.token)).body.content).toBe(greeting("hello"));
    const after = (await versionsOf("functions", "greet")).body;
    expect(after).toHaveLength(4);
    expect(after[0]).toMatchObject({ number: 4, message: "Restored version 1" });

    const withMessage = await sluice.api.post(
      `/api/v1/functions/id/greet/versions/${versions[1].id}/restore`,
      { message: "Back to hi" },
      admin.token,
    );
    expect(withMessage.body.content).toBe(greeting("hi"));
    expect((await versionsOf("functions", "greet")).body[0]).toMatchObject({ number: 5, message: "Back to hi" });
  });

  it("refuses to restore a version that no longer loads, changing nothing", async () => {
    // A version whose code does not load today (written straight to the database, as an older
    // server's version of a plugin whose API has since changed would be).
    const brokenId = randomUUID();
    await openDatabase()
      .insertInto("plugin_version")
      .values({
        id: brokenId,
        namespace: "function",
        plugin_id: "greet",
        number: 99,
        user_id: admin.id,
        name: "Greet (broken)",
        content: syntaxError,
        meta: JSON.stringify({ description: "" }),
        message: "From long ago",
        created_at: 1,
      })
      .execute();
    const before = (await sluice.api.get("/api/v1/functions/id/greet", admin.token)).body;
    const versionsBefore = (await versionsOf("functions", "greet")).body;

    expectError(await sluice.api.post(`/api/v1/functions/id/greet/versions/${brokenId}/restore`, {}, admin.token), 400);

    const after = (await sluice.api.get("/api/v1/functions/id/greet", admin.token)).body;
    expect(after).toMatchObject({ name: before.name, content: before.content, content_hash: before.content_hash, load_error: null });
    expect((await versionsOf("functions", "greet")).body).toHaveLength(versionsBefore.length);
  });

  it("answers 404 for unknown versions and plugins, 400 for a bad message, 403 to non-admins for functions", async () => {
    expectError(await sluice.api.get(`/api/v1/functions/id/greet/versions/${randomUUID()}`, admin.token), 404);
    expectError(await sluice.api.post(`/api/v1/functions/id/greet/versions/${randomUUID()}/restore`, {}, admin.token), 404);
    expectError(await versionsOf("functions", "nope"), 404);
    const versionId = (await versionsOf("functions", "greet")).body[0].id;
    // A version id of one plugin does not open under another's.
    await sluice.api.post("/api/v1/functions/create", { id: "other", name: "Other", content: greeting("other") }, admin.token);
    expectError(await sluice.api.get(`/api/v1/functions/id/other/versions/${versionId}`, admin.token), 404);
    expectError(
      await sluice.api.post(`/api/v1/functions/id/greet/versions/${versionId}/restore`, { message: "x".repeat(501) }, admin.token),
      400,
      "message",
    );
    expectError(await versionsOf("functions", "greet", user.token), 403);
    expectError(await sluice.api.get(`/api/v1/functions/id/greet/versions/${versionId}`, user.token), 403);
    expectError(await sluice.api.post(`/api/v1/functions/id/greet/versions/${versionId}/restore`, {}, user.token), 403);
  });

  it("keeps tool versions: hidden from users who cannot read the tool, not restorable by readers", async () => {
    const created = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "weather", name: "Weather", content: weatherTools, message: "Initial" },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await sluice.api.post("/api/v1/tools/id/weather/update", { name: "Weather 2", content: weatherTools + "\n// v2\n" }, admin.token);
    const versions = (await versionsOf("tools", "weather")).body;
    expect(versions.map((version: any) => [version.number, version.name, version.message])).toEqual([
      [2, "Weather 2", null],
      [1, "Weather", "Initial"],
    ]);

    // Private to the admin: the user is told it does not exist.
    expectError(await versionsOf("tools", "weather", user.token), 404);
    expectError(await sluice.api.post(`/api/v1/tools/id/weather/versions/${versions[1].id}/restore`, {}, user.token), 404);
    // Public read: the user may read the history, not restore it.
    await sluice.api.post("/api/v1/tools/id/weather/access/update", { access_control: null }, admin.token);
    expect((await versionsOf("tools", "weather", user.token)).status).toBe(200);
    expectError(await sluice.api.post(`/api/v1/tools/id/weather/versions/${versions[1].id}/restore`, {}, user.token), 403);

    const restored = await sluice.api.post(`/api/v1/tools/id/weather/versions/${versions[1].id}/restore`, {}, admin.token);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ name: "Weather", content: weatherTools });
    expect((await versionsOf("tools", "weather")).body[0]).toMatchObject({ number: 3, message: "Restored version 1" });
  });

  it("keeps a version for each imported plugin", async () => {
    const imported = await sluice.api.post(
      "/api/v1/functions/import",
      [{ id: "greet", name: "Greet imported", content: greeting("imported") }],
      admin.token,
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect((await versionsOf("functions", "greet")).body[0]).toMatchObject({ name: "Greet imported", message: "Imported" });
  });

  it("deletes a plugin's versions with it", async () => {
    expect((await sluice.api.delete("/api/v1/functions/id/greet/delete", admin.token)).status).toBe(200);
    expectError(await versionsOf("functions", "greet"), 404);
    const left = await openDatabase().selectFrom("plugin_version").select("id").where("plugin_id", "=", "greet").execute();
    expect(left).toEqual([]);
    // A new plugin under the same id starts its own history.
    await sluice.api.post("/api/v1/functions/create", { id: "greet", name: "Greet", content: greeting("again") }, admin.token);
    expect((await versionsOf("functions", "greet")).body.map((version: any) => version.number)).toEqual([1]);

    expect((await sluice.api.delete("/api/v1/tools/id/weather/delete", admin.token)).status).toBe(200);
    expect(await openDatabase().selectFrom("plugin_version").select("id").where("plugin_id", "=", "weather").execute()).toEqual([]);
  });

  it("shows the filters a model runs, in the order the chat pipeline runs them", async () => {
    const install = async (id: string, content: string, options: { global?: boolean } = {}) => {
      const created = await sluice.api.post("/api/v1/functions/create", { id, name: `Filter ${id}`, content }, admin.token);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
      if (options.global) await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token);
    };
    await install("late_global", markerFilter("L", 10), { global: true });
    await install("early_global", markerFilter("E", -5), { global: true });
    await install("model_own", markerFilter("M", 3));
    await install("chip", markerFilter("C", 0, { toggle: true }));
    await install("unattached", markerFilter("U", 1));
    // A stored priority valve wins over the schema's default.
    await sluice.api.post("/api/v1/functions/id/late_global/valves/update", { priority: 1 }, admin.token);
    await sluice.api.post(
      "/api/v1/models/create",
      { id: "fake-model", name: "Fake", meta: { filterIds: ["model_own", "chip"] } },
      admin.token,
    );

    const order = await sluice.api.get("/api/v1/models/model/filters?id=fake-model", admin.token);
    expect(order.status, JSON.stringify(order.body)).toBe(200);
    expect(order.body.filters.map((filter: any) => [filter.id, filter.priority, filter.is_global, filter.is_toggle])).toEqual([
      ["early_global", -5, true, false],
      ["chip", 0, false, true],
      ["late_global", 1, true, false],
      ["model_own", 3, false, false],
    ]);
    expect(order.body.filters[0].name).toBe("Filter early_global");

    // A model without a settings row runs the global filters only.
    const bare = await sluice.api.get("/api/v1/models/model/filters?id=no-such-row", admin.token);
    expect(bare.body.filters.map((filter: any) => filter.id)).toEqual(["early_global", "late_global"]);

    expectError(await sluice.api.get("/api/v1/models/model/filters", admin.token), 400, "id");
    expectError(await sluice.api.get("/api/v1/models/model/filters?id=fake-model", user.token), 403);
  });
});
