import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

describeEachDatabase("models API", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let member: TestAccount;
  let editor: TestAccount;
  let outsider: TestAccount;
  let groupId: string;

  const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();

  it("sets up an admin, a group member, an editor and an outsider", async () => {
    admin = await signUpAdmin(sluice.url);
    member = await signUpUser(sluice.url, admin);
    editor = await signUpUser(sluice.url, admin);
    outsider = await signUpUser(sluice.url, admin);
    const group = await sluice.api.post("/api/v1/groups/create", { name: "Team", user_ids: [member.id] }, admin.token);
    expect(group.status, JSON.stringify(group.body)).toBe(200);
    groupId = group.body.id;
  });

  it("lets admins attach plugins to an upstream model with a settings row (public by default)", async () => {
    const created = await sluice.api.post(
      "/api/v1/models/create",
      {
        id: "gpt-4o",
        name: "GPT-4o",
        meta: {
          description: "Fast",
          filterIds: ["redact"],
          defaultFilterIds: [],
          actionIds: ["summarise"],
          toolIds: ["weather"],
          capabilities: { vision: true },
          custom: 1,
        },
        params: { function_calling: "native" },
      },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({
      id: "gpt-4o",
      user_id: admin.id,
      base_model_id: null,
      name: "GPT-4o",
      meta: { filterIds: ["redact"], actionIds: ["summarise"], toolIds: ["weather"], capabilities: { vision: true }, custom: 1 },
      params: { function_calling: "native" },
      access_control: null,
      is_active: true,
      write_access: true,
    });
    expect((await sluice.api.get("/api/v1/models/model?id=gpt-4o", outsider.token)).body).toMatchObject({
      id: "gpt-4o",
      write_access: false,
    });
  });

  it("creates a custom model on a base model, readable by a group and writable by a user", async () => {
    const created = await sluice.api.post(
      "/api/v1/models/create",
      {
        id: "tutor",
        name: "Tutor",
        base_model_id: "gpt-4o",
        meta: { toolIds: ["calculator"] },
        params: { system: "Explain step by step" },
        access_control: { read: { group_ids: [groupId], user_ids: [] }, write: { user_ids: [editor.id], group_ids: [] } },
      },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ id: "tutor", base_model_id: "gpt-4o" });

    expect(ids((await sluice.api.get("/api/v1/models/", admin.token)).body)).toEqual(["gpt-4o", "tutor"]);
    expect(ids((await sluice.api.get("/api/v1/models/", member.token)).body)).toEqual(["gpt-4o", "tutor"]);
    expect(ids((await sluice.api.get("/api/v1/models/", editor.token)).body)).toEqual(["gpt-4o", "tutor"]);
    expect(ids((await sluice.api.get("/api/v1/models/", outsider.token)).body)).toEqual(["gpt-4o"]);
    expectError(await sluice.api.get("/api/v1/models/model?id=tutor", outsider.token), 404, "Model not found");
    expect((await sluice.api.get("/api/v1/models/model?id=tutor", member.token)).body.write_access).toBe(false);
  });

  it("updates by write access only, the id from the query or the body, omitted fields unchanged", async () => {
    expectError(await sluice.api.post("/api/v1/models/model/update?id=tutor", { name: "Mine" }, member.token), 403);
    expectError(await sluice.api.post("/api/v1/models/model/update?id=tutor", { name: "Mine" }, outsider.token), 404);
    const byQuery = await sluice.api.post("/api/v1/models/model/update?id=tutor", { name: "Patient tutor" }, editor.token);
    expect(byQuery.status, JSON.stringify(byQuery.body)).toBe(200);
    expect(byQuery.body).toMatchObject({
      name: "Patient tutor",
      meta: { toolIds: ["calculator"] },
      params: { system: "Explain step by step" },
      user_id: admin.id,
    });
    const byBody = await sluice.api.post("/api/v1/models/model/update", { id: "tutor", meta: { actionIds: ["explain"] } }, editor.token);
    expect(byBody.body.meta).toEqual({ actionIds: ["explain"] });
    expectError(await sluice.api.post("/api/v1/models/model/update?id=tutor", { id: "other" }, admin.token), 400, "cannot change");
    expectError(await sluice.api.post("/api/v1/models/model/update", { name: "x" }, admin.token), 400, "id is required");
    expectError(await sluice.api.post("/api/v1/models/model/update?id=missing", { name: "x" }, admin.token), 404);
  });

  it("toggles is_active", async () => {
    const off = await sluice.api.post("/api/v1/models/model/toggle?id=gpt-4o", undefined, admin.token);
    expect(off.body.is_active).toBe(false);
    expectError(await sluice.api.post("/api/v1/models/model/toggle?id=gpt-4o", undefined, outsider.token), 403);
    expect((await sluice.api.post("/api/v1/models/model/toggle?id=gpt-4o", undefined, admin.token)).body.is_active).toBe(true);
  });

  it("validates forms: plugin id lists, names, ids, access control", async () => {
    const base = { id: "bad", name: "Bad" };
    expectError(
      await sluice.api.post("/api/v1/models/create", { ...base, meta: { filterIds: "redact" } }, admin.token),
      400,
      "meta.filterIds",
    );
    expectError(await sluice.api.post("/api/v1/models/create", { ...base, meta: { toolIds: [1] } }, admin.token), 400, "meta.toolIds.0");
    expectError(
      await sluice.api.post("/api/v1/models/create", { ...base, meta: { actionIds: [null] } }, admin.token),
      400,
      "meta.actionIds.0",
    );
    expectError(await sluice.api.post("/api/v1/models/create", { id: "bad" }, admin.token), 400, "name");
    expectError(await sluice.api.post("/api/v1/models/create", { name: "No id" }, admin.token), 400, "id");
    expectError(
      await sluice.api.post("/api/v1/models/create", { ...base, access_control: { read: "all" } }, admin.token),
      400,
      "access_control",
    );
    expectError(await sluice.api.post("/api/v1/models/create", { ...base, base_model_id: "bad" }, admin.token), 400, "itself");
    expectError(await sluice.api.post("/api/v1/models/create", { id: "gpt-4o", name: "Again" }, admin.token), 400, "already taken");
    expectError(
      await sluice.api.post("/api/v1/models/model/update?id=tutor", { meta: { defaultFilterIds: [true] } }, admin.token),
      400,
      "meta.defaultFilterIds.0",
    );
  });

  it("lets only admins create models", async () => {
    expectError(await sluice.api.post("/api/v1/models/create", { id: "x", name: "X" }, editor.token), 403);
    expectError(await sluice.api.get("/api/v1/models/"), 401);
  });

  it("deletes by write access", async () => {
    expectError(await sluice.api.delete("/api/v1/models/model/delete?id=tutor", member.token), 403);
    const deleted = await sluice.api.delete("/api/v1/models/model/delete?id=tutor", admin.token);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toBe(true);
    expectError(await sluice.api.get("/api/v1/models/model?id=tutor", admin.token), 404);
    expectError(await sluice.api.delete("/api/v1/models/model/delete?id=tutor", admin.token), 404);
  });
});
