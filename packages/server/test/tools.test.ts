import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";
import { toggleFilter, weatherTools } from "./fixtures/plugin-sources.ts";

describeEachDatabase("tools API", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let author: TestAccount;
  let reader: TestAccount;
  let stranger: TestAccount;
  let groupId: string;

  const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();

  it("sets up an admin, a tool author (by permission) and two users", async () => {
    admin = await signUpAdmin(sluice.url);
    author = await signUpUser(sluice.url, admin);
    reader = await signUpUser(sluice.url, admin);
    stranger = await signUpUser(sluice.url, admin);
    const group = await sluice.api.post("/api/v1/groups/create", { name: "Readers", user_ids: [reader.id] }, admin.token);
    expect(group.status, JSON.stringify(group.body)).toBe(200);
    groupId = group.body.id;
  });

  it("lets only admins and users allowed workspace.tools create tools", async () => {
    const form = { id: "weather", name: "Weather", content: weatherTools };
    expectError(await sluice.api.post("/api/v1/tools/create", form, author.token), 403, "workspace.tools");
    const granted = await sluice.api.post(
      `/api/v1/users/${author.id}/update`,
      { permissions: { workspace: { tools: true } } },
      admin.token,
    );
    expect(granted.status, JSON.stringify(granted.body)).toBe(200);
    const created = await sluice.api.post("/api/v1/tools/create", form, author.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({
      id: "weather",
      user_id: author.id,
      access_control: {},
      write_access: true,
      has_user_valves: true,
    });
    expect(created.body.specs).toEqual([
      {
        name: "get_weather",
        description: "Current weather for a city",
        parameters: expect.objectContaining({
          type: "object",
          properties: {
            city: { type: "string", description: "City name" },
            days: expect.objectContaining({ type: "integer", default: 1, minimum: 1, maximum: 7, description: "How many days" }),
          },
          required: ["city"],
        }),
      },
    ]);
    expectError(
      await sluice.api.post("/api/v1/tools/create", { ...form, id: "filter_here", content: toggleFilter }, admin.token),
      400,
      /Functions/,
    );
    expectError(await sluice.api.post("/api/v1/tools/create", form, admin.token), 400, "already taken");
  });

  it("keeps a new tool private to its owner (and admins) until shared", async () => {
    expect(ids((await sluice.api.get("/api/v1/tools/", author.token)).body)).toEqual(["weather"]);
    expect(ids((await sluice.api.get("/api/v1/tools/", admin.token)).body)).toEqual(["weather"]);
    expect((await sluice.api.get("/api/v1/tools/", reader.token)).body).toEqual([]);
    expectError(await sluice.api.get("/api/v1/tools/id/weather", reader.token), 404);
  });

  it("shares read access with a group and write access with a user", async () => {
    const shared = await sluice.api.post(
      "/api/v1/tools/id/weather/access/update",
      { access_control: { read: { group_ids: [groupId], user_ids: [] }, write: { user_ids: [stranger.id], group_ids: [] } } },
      author.token,
    );
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);
    const asReader = await sluice.api.get("/api/v1/tools/id/weather", reader.token);
    expect(asReader.body).toMatchObject({ id: "weather", write_access: false });
    expect(asReader.body.content).toContain("defineTools");
    expectError(await sluice.api.post("/api/v1/tools/id/weather/update", { name: "Mine", content: weatherTools }, reader.token), 403);
    expectError(await sluice.api.delete("/api/v1/tools/id/weather/delete", reader.token), 403);
    const edited = await sluice.api.post("/api/v1/tools/id/weather/update", { name: "Weather 2", content: weatherTools }, stranger.token);
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ name: "Weather 2", user_id: author.id, write_access: true });
  });

  it("makes a tool public with access_control null", async () => {
    await sluice.api.post("/api/v1/tools/id/weather/access/update", { access_control: null }, author.token);
    const other = await signUpUser(sluice.url, admin);
    expect(ids((await sluice.api.get("/api/v1/tools/list", other.token)).body)).toEqual(["weather"]);
    expectError(await sluice.api.post("/api/v1/tools/id/weather/access/update", { access_control: {} }, other.token), 403);
  });

  it("guards admin valves: owners edit them, secrets are shown only to admins", async () => {
    expectError(await sluice.api.get("/api/v1/tools/id/weather/valves", reader.token), 403);
    expectError(await sluice.api.post("/api/v1/tools/id/weather/valves/update", { units: "kelvin" }, author.token), 400, "units");
    const saved = await sluice.api.post(
      "/api/v1/tools/id/weather/valves/update",
      { apiKey: "owm-secret", units: "imperial" },
      author.token,
    );
    expect(saved.body).toEqual({ apiKey: "********", units: "imperial" });
    expect((await sluice.api.get("/api/v1/tools/id/weather/valves", author.token)).body).toEqual({ apiKey: "********", units: "imperial" });
    expect((await sluice.api.get("/api/v1/tools/id/weather/valves", admin.token)).body).toEqual({
      apiKey: "owm-secret",
      units: "imperial",
    });
    // The author re-saves the form with the mask: the secret survives.
    await sluice.api.post("/api/v1/tools/id/weather/valves/update", { apiKey: "********", units: "metric" }, author.token);
    expect((await sluice.api.get("/api/v1/tools/id/weather/valves", admin.token)).body).toEqual({ apiKey: "owm-secret", units: "metric" });
  });

  it("keeps user valves per reader", async () => {
    const saved = await sluice.api.post("/api/v1/tools/id/weather/valves/user/update", { city: "Oslo" }, reader.token);
    expect(saved.body).toEqual({ city: "Oslo" });
    expect((await sluice.api.get("/api/v1/tools/id/weather/valves/user", reader.token)).body).toEqual({ city: "Oslo" });
    expect((await sluice.api.get("/api/v1/tools/id/weather/valves/user", author.token)).body).toEqual({});
    expect((await sluice.api.get("/api/v1/tools/id/weather/valves/user/spec", reader.token)).body.properties.city.default).toBe("Paris");
  });

  it("keeps a user's network permissions requested until an admin approves them", async () => {
    const source = (hosts: string) =>
      `/**\n * permissions: ${hosts}\n */\nimport { defineTools, z } from "@sluice/sdk";\n` +
      'export default defineTools({ tools: { ping: { description: "Ping", parameters: z.object({}), execute: () => "pong" } } });\n';
    const created = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "fetcher", name: "Fetcher", content: source("network:api.example.com") },
      author.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.meta.permissions).toEqual({ requested: ["network:api.example.com"], granted: [] });
    expectError(await sluice.api.post("/api/v1/tools/id/fetcher/permissions/approve", {}, author.token), 403);
    const approved = await sluice.api.post("/api/v1/tools/id/fetcher/permissions/approve", {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.meta.permissions).toEqual({ requested: ["network:api.example.com"], granted: ["network:api.example.com"] });
    // The author asks for one more host: what was approved stays, the new one waits.
    const content = source("network:api.example.com, network:*.example.org");
    const updated = await sluice.api.post("/api/v1/tools/id/fetcher/update", { name: "Fetcher", content }, author.token);
    expect(updated.body.meta.permissions).toEqual({
      requested: ["network:api.example.com", "network:*.example.org"],
      granted: ["network:api.example.com"],
    });
    const byAdmin = await sluice.api.post("/api/v1/tools/id/fetcher/update", { name: "Fetcher", content }, admin.token);
    expect(byAdmin.body.meta.permissions.granted).toEqual(["network:api.example.com", "network:*.example.org"]);
    expect((await sluice.api.delete("/api/v1/tools/id/fetcher/delete", author.token)).body).toBe(true);
  });

  // Security issue, point 6: the author swaps the code between the admin's read and approve.
  it("approves exactly the code the admin read: a content_hash from before a change answers 409 and grants nothing", async () => {
    const source = (work: string) =>
      `/**\n * permissions: network:api.example.com\n */\nimport { defineTools, z } from "@sluice/sdk";\n` +
      `export default defineTools({ tools: { ping: { description: "Ping", parameters: z.object({}), execute: () => ${work} } } });\n`;
    const created = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "swapper", name: "Swapper", content: source('"pong"') },
      author.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const read = await sluice.api.get("/api/v1/tools/id/swapper", admin.token);
    const reviewed = read.body.content_hash;
    expect(reviewed).toEqual(expect.any(String));
    expect(created.body.content_hash).toBe(reviewed);
    const listed = (await sluice.api.get("/api/v1/tools/", admin.token)).body.find((row: { id: string }) => row.id === "swapper");
    expect(listed.content_hash).toBe(reviewed);

    const swapped = await sluice.api.post(
      "/api/v1/tools/id/swapper/update",
      { name: "Swapper", content: source('"stolen"') },
      author.token,
    );
    expect(swapped.status, JSON.stringify(swapped.body)).toBe(200);
    expect(swapped.body.content_hash).not.toBe(reviewed);
    expectError(
      await sluice.api.post("/api/v1/tools/id/swapper/permissions/approve", { content_hash: reviewed }, admin.token),
      409,
      "changed since it was reviewed",
    );
    const after = await sluice.api.get("/api/v1/tools/id/swapper", admin.token);
    expect(after.body.meta.permissions).toEqual({ requested: ["network:api.example.com"], granted: [] });

    expectError(
      await sluice.api.post("/api/v1/tools/id/swapper/permissions/approve", { content_hash: 5 }, admin.token),
      400,
      "content_hash",
    );
    const approved = await sluice.api.post(
      "/api/v1/tools/id/swapper/permissions/approve",
      { content_hash: after.body.content_hash },
      admin.token,
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({
      content_hash: after.body.content_hash,
      meta: { permissions: { granted: ["network:api.example.com"] } },
    });
    expect((await sluice.api.delete("/api/v1/tools/id/swapper/delete", author.token)).body).toBe(true);
  });

  it("exports and imports tools, and the owner deletes", async () => {
    const exported = await sluice.api.get("/api/v1/tools/export", admin.token);
    expect(exported.body[0]).toMatchObject({ id: "weather", access_control: null });
    const copy = { ...exported.body[0], id: "weather_copy" };
    const imported = await sluice.api.post("/api/v1/tools/sync", { tools: [copy] }, admin.token);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body[0]).toMatchObject({ id: "weather_copy", access_control: null });
    expect((await sluice.api.delete("/api/v1/tools/id/weather/delete", author.token)).body).toBe(true);
    expectError(await sluice.api.get("/api/v1/tools/id/weather", admin.token), 404);
  });
});
