import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { databaseKind } from "../database-kind.ts";

/**
 * `memory`: what each user asked to be remembered (Open WebUI's memories), and its full-text index.
 *
 * - `embedding` holds the vector of `content` (float32, little-endian) from `EMBEDDING_MODEL`,
 *   and `embedding_model` the model that made it; both null until a model is configured. A vector
 *   from another model is made again when it is next needed.
 * - SQLite: an FTS5 table over `content`, kept in step by triggers. It is an external-content
 *   index keyed by `seq`, an INTEGER PRIMARY KEY, because a plain rowid may change on VACUUM and
 *   the index would then point at the wrong rows.
 * - PostgreSQL: a generated `tsvector` column with a GIN index.
 *
 * Both use English stemming (`porter` / `english`), so "colours" finds "colour".
 */
export const memoriesMigration: Migration = {
  async up(db: Kysely<any>) {
    const isSqlite = databaseKind(db) === "sqlite";
    let table = db.schema.createTable("memory");
    table = isSqlite
      ? table.addColumn("seq", "integer", (column) => column.primaryKey()).addColumn("id", "text", (column) => column.notNull().unique())
      : table.addColumn("id", "text", (column) => column.primaryKey());
    table = table
      .addColumn("user_id", "text", (column) => column.notNull())
      .addColumn("content", "text", (column) => column.notNull())
      .addColumn("embedding", isSqlite ? "blob" : "bytea")
      .addColumn("embedding_model", "text")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull());
    if (!isSqlite) {
      table = table.addColumn("content_search", sql`tsvector`, (column) =>
        column.generatedAlwaysAs(sql`to_tsvector('english', content)`).stored(),
      );
    }
    await table.execute();
    await db.schema.createIndex("memory_user_id_created_at_index").on("memory").columns(["user_id", "created_at"]).execute();

    if (!isSqlite) {
      await db.schema.createIndex("memory_content_search_index").on("memory").using("gin").column("content_search").execute();
      return;
    }
    await sql`CREATE VIRTUAL TABLE memory_fts USING fts5(content, content = 'memory', content_rowid = 'seq', tokenize = 'porter unicode61 remove_diacritics 2')`.execute(
      db,
    );
    await sql`CREATE TRIGGER memory_fts_insert AFTER INSERT ON memory BEGIN
      INSERT INTO memory_fts (rowid, content) VALUES (new.seq, new.content);
    END`.execute(db);
    await sql`CREATE TRIGGER memory_fts_delete AFTER DELETE ON memory BEGIN
      INSERT INTO memory_fts (memory_fts, rowid, content) VALUES ('delete', old.seq, old.content);
    END`.execute(db);
    await sql`CREATE TRIGGER memory_fts_update AFTER UPDATE OF content ON memory BEGIN
      INSERT INTO memory_fts (memory_fts, rowid, content) VALUES ('delete', old.seq, old.content);
      INSERT INTO memory_fts (rowid, content) VALUES (new.seq, new.content);
    END`.execute(db);
  },

  async down(db: Kysely<any>) {
    if (databaseKind(db) === "sqlite") {
      for (const trigger of ["memory_fts_insert", "memory_fts_delete", "memory_fts_update"]) {
        await sql`DROP TRIGGER IF EXISTS ${sql.id(trigger)}`.execute(db);
      }
      await sql`DROP TABLE IF EXISTS memory_fts`.execute(db);
    }
    await db.schema.dropTable("memory").ifExists().execute();
  },
};
