import { type Kysely, SqliteAdapter } from "kysely";

export type DatabaseKind = "sqlite" | "postgres";

/** Which engine a Kysely instance talks to, for the few places SQL differs (DDL, locking). */
export function databaseKind(db: Kysely<any>): DatabaseKind {
  return db.getExecutor().adapter instanceof SqliteAdapter ? "sqlite" : "postgres";
}
