import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/helpers/test-database.ts";
import { connectDatabase } from "./connect-database.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { migrateToLatest } from "./migrations/migrate-to-latest.ts";
import { deleteModel, findModel, insertModel, listModels, updateModel } from "./models-repository.ts";
import type { Database } from "./schema.ts";

describe.each(DATABASE_KINDS)("models repository (%s)", (kind) => {
  let database: TestDatabase;
  let db: Kysely<Database>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = connectDatabase(database);
    await migrateToLatest(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it("stores settings rows and custom models with their JSON, active by default and public when no access control is given", async () => {
    const settings = await insertModel(db, { id: "gpt-4o", user_id: "admin", name: "GPT-4o", meta: { filterIds: ["redact"], extra: 1 } });
    expect(settings).toMatchObject({
      base_model_id: null,
      is_active: true,
      access_control: null,
      params: {},
      meta: { filterIds: ["redact"], extra: 1 },
    });
    const custom = await insertModel(db, {
      id: "helper",
      user_id: "admin",
      base_model_id: "gpt-4o",
      name: "Helper",
      params: { system: "Be brief" },
      access_control: {},
      is_active: false,
    });
    expect(custom).toMatchObject({ base_model_id: "gpt-4o", is_active: false, access_control: {}, params: { system: "Be brief" } });
    expect((await listModels(db)).map((model) => model.id)).toEqual(["gpt-4o", "helper"]);
    expect(await findModel(db, "helper")).toEqual(custom);

    const error = await insertModel(db, { id: "helper", user_id: "admin", name: "Again" }).catch((caught: unknown) => caught);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("updates only the fields given and deletes", async () => {
    const updated = await updateModel(db, "gpt-4o", { meta: { actionIds: ["summarise"] }, is_active: false, access_control: null });
    expect(updated).toMatchObject({ name: "GPT-4o", meta: { actionIds: ["summarise"] }, is_active: false, access_control: null });
    expect(await updateModel(db, "missing", { name: "x" })).toBeUndefined();
    expect(await deleteModel(db, "gpt-4o")).toBe(true);
    expect(await deleteModel(db, "gpt-4o")).toBe(false);
    expect(await findModel(db, "gpt-4o")).toBeUndefined();
  });

  it("reads a row with malformed meta as empty meta rather than failing", async () => {
    await insertModel(db, { id: "odd", user_id: "admin", name: "Odd" });
    await db.updateTable("model").set({ meta: "{not json" }).where("id", "=", "odd").execute();
    expect((await findModel(db, "odd"))?.meta).toEqual({});
  });
});
