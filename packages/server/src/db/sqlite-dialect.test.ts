import { DatabaseSync } from "node:sqlite";
import { Kysely, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteDialect } from "./sqlite-dialect.ts";

interface TestTables {
  item: { id: number; name: string; is_done: boolean | number; note: string | null };
}

describe("createSqliteDialect", () => {
  let db: Kysely<TestTables>;

  async function open(): Promise<Kysely<TestTables>> {
    db = new Kysely<TestTables>({ dialect: createSqliteDialect(new DatabaseSync(":memory:")) });
    await sql`create table item (id integer primary key, name text not null, is_done integer not null, note text)`.execute(db);
    return db;
  }

  afterEach(async () => {
    await db?.destroy();
  });

  it("inserts, selects and counts rows through Kysely", async () => {
    await open();
    const result = await db.insertInto("item").values({ id: 1, name: "first", is_done: 0, note: null }).executeTakeFirst();
    expect(result.numInsertedOrUpdatedRows).toBe(1n);
    const rows = await db.selectFrom("item").selectAll().execute();
    expect(rows).toEqual([{ id: 1, name: "first", is_done: 0, note: null }]);
  });

  it("binds booleans as 1 and 0 so filters on them work", async () => {
    await open();
    await db
      .insertInto("item")
      .values([
        { id: 1, name: "done", is_done: true, note: null },
        { id: 2, name: "open", is_done: false, note: null },
      ])
      .execute();
    const done = await db.selectFrom("item").select("name").where("is_done", "=", true).execute();
    expect(done).toEqual([{ name: "done" }]);
    const stored = await db.selectFrom("item").select("is_done").orderBy("id").execute();
    expect(stored.map((row) => row.is_done)).toEqual([1, 0]);
  });

  it("returns rows from statements with RETURNING", async () => {
    await open();
    const row = await db
      .insertInto("item")
      .values({ id: 7, name: "x", is_done: 0, note: "n" })
      .returning(["id", "note"])
      .executeTakeFirst();
    expect(row).toEqual({ id: 7, note: "n" });
  });

  it("reports affected rows of updates and deletes", async () => {
    await open();
    await db
      .insertInto("item")
      .values([
        { id: 1, name: "a", is_done: 0, note: null },
        { id: 2, name: "b", is_done: 0, note: null },
      ])
      .execute();
    const updated = await db.updateTable("item").set({ is_done: 1 }).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db.deleteFrom("item").where("id", "=", 1).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
  });

  it("streams select results", async () => {
    await open();
    await db
      .insertInto("item")
      .values([1, 2, 3].map((id) => ({ id, name: `n${id}`, is_done: 0, note: null })))
      .execute();
    const names: string[] = [];
    for await (const row of db.selectFrom("item").select("name").orderBy("id").stream()) names.push(row.name);
    expect(names).toEqual(["n1", "n2", "n3"]);
  });

  it("rolls back a failed transaction", async () => {
    await open();
    await expect(
      db.transaction().execute(async (transaction) => {
        await transaction.insertInto("item").values({ id: 1, name: "a", is_done: 0, note: null }).execute();
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(await db.selectFrom("item").selectAll().execute()).toEqual([]);
  });

  it("keeps concurrent transactions apart on its single connection", async () => {
    await open();
    await Promise.all(
      [1, 2, 3, 4].map((id) =>
        db.transaction().execute(async (transaction) => {
          await transaction.insertInto("item").values({ id, name: "t", is_done: 0, note: null }).execute();
          await new Promise((resolve) => setTimeout(resolve, 5));
          await transaction
            .updateTable("item")
            .set({ name: `t${id}` })
            .where("id", "=", id)
            .execute();
        }),
      ),
    );
    const rows = await db.selectFrom("item").select("name").orderBy("id").execute();
    expect(rows.map((row) => row.name)).toEqual(["t1", "t2", "t3", "t4"]);
  });
});
