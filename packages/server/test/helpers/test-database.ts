import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** The engines every database and integration test runs on. */
export const DATABASE_KINDS = ["sqlite", "postgres"] as const;

export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/** A fresh, empty database for one test file (or one server), and its data folder. */
export interface TestDatabase {
  kind: DatabaseKind;
  /** Set for PostgreSQL; undefined means SQLite under `dataDir`. */
  databaseUrl?: string;
  /** A new temporary folder (the SQLite file, the generated secret key, plugin caches). */
  dataDir: string;
  /** Drops the database and removes the data folder. Safe to call twice. */
  drop(): Promise<void>;
}

/** Where the test PostgreSQL server is; `SLUICE_TEST_POSTGRES_URL` overrides (no database name). */
const POSTGRES_SERVER_URL = process.env.SLUICE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

async function withAdminClient<T>(action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${POSTGRES_SERVER_URL}/postgres` });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Tests need PostgreSQL at ${POSTGRES_SERVER_URL} (set SLUICE_TEST_POSTGRES_URL): ${(error as Error).message}`);
  }
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database of the given kind: for PostgreSQL `sluice_test_<random>` on the
 * test server; for SQLite nothing but the data folder (the server creates `sluice.db` there).
 *
 * @example
 * const database = await createTestDatabase("postgres");
 * const db = connectDatabase(database);
 * // …
 * await db.destroy();
 * await database.drop();
 */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `sluice-test-${kind}-`));
  let databaseName: string | undefined;
  if (kind === "postgres") {
    databaseName = `sluice_test_${randomBytes(6).toString("hex")}`;
    await withAdminClient((client) => client.query(`CREATE DATABASE ${databaseName}`));
  }
  let isDropped = false;
  return {
    kind,
    databaseUrl: databaseName ? `${POSTGRES_SERVER_URL}/${databaseName}` : undefined,
    dataDir,
    async drop() {
      if (isDropped) return;
      isDropped = true;
      if (databaseName) await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`));
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
