import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Config } from "../config.ts";
import type { Database } from "./schema.ts";
import { createSqliteDialect } from "./sqlite-dialect.ts";
import { registerTableChanges, TableChanges, tableWritesPlugin } from "./table-changes.ts";

const INT8_OID = 20;

/** pg returns int8 (bigint) as a string; our bigints are epoch seconds and counts, safe as numbers. */
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID && format !== "binary") return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

// The database is the server's alone (another OS user, such as the trusted tier's, cannot open
// it). SQLite gives the -wal and -shm files the database file's mode.
function makePrivate(file: string): void {
  fs.closeSync(fs.openSync(file, "a", 0o600));
  fs.chmodSync(file, 0o600);
  for (const companion of [`${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(companion, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

function openSqlite(dataDir: string): DatabaseSync {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, "sluice.db");
  makePrivate(file);
  const database = new DatabaseSync(file, { enableForeignKeyConstraints: true });
  database.exec("PRAGMA journal_mode = WAL");
  database.exec("PRAGMA synchronous = NORMAL");
  // Another process (a second instance, a CLI) may hold the write lock briefly.
  database.exec("PRAGMA busy_timeout = 5000");
  return database;
}

/**
 * Opens the database the configuration names: PostgreSQL when `databaseUrl` is set, otherwise
 * SQLite at `<dataDir>/sluice.db` (created with its folder when missing; mode 0600 with its
 * -wal and -shm files). Call `migrateToLatest`
 * before use, and `db.destroy()` to close.
 */
export function connectDatabase(
  config: Pick<Config, "dataDir" | "databaseUrl">,
  options: { onConnectionError?: (error: Error) => void } = {},
): Kysely<Database> {
  // Every write is noted, so what the chat path reads on each request can be cached (readThrough).
  const changes = new TableChanges();
  const plugins = [tableWritesPlugin(changes)];
  let db: Kysely<Database>;
  if (config.databaseUrl) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, types: pgTypes, max: 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on("error", (error) => options.onConnectionError?.(error));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
  } else {
    db = new Kysely<Database>({ dialect: createSqliteDialect(openSqlite(config.dataDir)), plugins });
  }
  registerTableChanges(db, changes);
  return db;
}
