import { DatabaseSync } from "node:sqlite";
import { Kysely, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteDialect } from "./sqlite-dialect.ts";
import { readThrough, registerTableChanges, TableChanges, tableWritesPlugin } from "./table-changes.ts";

interface TestTables {
  item: { id: number; name: string };
  other: { id: number };
}

describe("readThrough", () => {
  let db: Kysely<TestTables>;
  let reads = 0;

  async function open(): Promise<{ db: Kysely<TestTables>; changes: TableChanges }> {
    const changes = new TableChanges();
    db = new Kysely<TestTables>({ dialect: createSqliteDialect(new DatabaseSync(":memory:")), plugins: [tableWritesPlugin(changes)] });
    registerTableChanges(db, changes);
    await sql`create table item (id integer primary key, name text not null)`.execute(db);
    await sql`create table other (id integer primary key)`.execute(db);
    await db.insertInto("item").values({ id: 1, name: "first" }).execute();
    reads = 0;
    return { db, changes };
  }

  const names = () =>
    readThrough(db, "names", ["item"], async () => {
      reads += 1;
      return (await db.selectFrom("item").select("name").orderBy("id").execute()).map((row) => row.name);
    });

  /** Runs `work` as if `milliseconds` later than now (the writes before have settled). */
  async function later<T>(work: () => Promise<T>, milliseconds = 5_000): Promise<T> {
    const realNow = Date.now;
    Date.now = () => realNow() + milliseconds;
    try {
      return await work();
    } finally {
      Date.now = realNow;
    }
  }

  afterEach(async () => {
    await db?.destroy();
  });

  it("reads once until the table is written, then reads the change", async () => {
    const { changes } = await open();
    // Just after a write nothing is kept: a transaction may not have committed yet.
    expect(changes.isSettled(["item"])).toBe(false);
    expect(await names()).toEqual(["first"]);
    expect(await names()).toEqual(["first"]);
    expect(reads).toBe(2);

    await later(async () => {
      await Promise.all([names(), names(), names()]);
      expect(await names()).toEqual(["first"]);
      expect(reads).toBe(3); // one read shared by four callers

      await db.insertInto("other").values({ id: 1 }).execute(); // another table: still cached
      expect(await names()).toEqual(["first"]);
      expect(reads).toBe(3);

      await db.updateTable("item").set({ name: "renamed" }).where("id", "=", 1).execute();
      expect(await names()).toEqual(["renamed"]);
      await db.transaction().execute((transaction) => transaction.deleteFrom("item").where("id", "=", 1).execute());
      expect(await names()).toEqual([]);
    });
  });

  it("hands out frozen values, so no caller can change what the others get", async () => {
    await open();
    const list = await later(names);
    expect(() => (list as string[]).push("sneaky")).toThrow(TypeError);
  });

  it("reads again when another instance says the table changed, or when its news may have been lost", async () => {
    const { changes } = await open();
    await later(async () => {
      await names();
      await names();
      expect(reads).toBe(1);
      const told: string[][] = [];
      changes.onWrite((tables) => told.push(tables));
      changes.noteWrite(["item"], { fromFeed: true });
      await names();
      expect(reads).toBe(2);
      expect(told).toEqual([]); // what the feed brought is not told on again
      await db.insertInto("item").values({ id: 2, name: "second" }).execute();
      expect(told).toEqual([["item"], ["item"]]);
    });
    await later(async () => {
      await names();
      await names();
      expect(reads).toBe(3);
      changes.noteWriteToAll(); // the feed lost Redis for a while
      await names();
      expect(reads).toBe(4);
    }, 10_000);
  });
});
