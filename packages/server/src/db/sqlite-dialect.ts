import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";

/** Most distinct SQL texts kept prepared per database; the app issues far fewer. */
const STATEMENT_CACHE_SIZE = 500;

/** node:sqlite rejects (or mis-stores) some JS values Kysely may bind; SQLite has no boolean type. */
function toSqliteValue(value: unknown): SQLInputValue {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value as SQLInputValue;
}

function bind(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map(toSqliteValue);
}

function adaptStatement(statement: StatementSync): SqliteStatement {
  return {
    // A statement that yields columns (SELECT, or anything with RETURNING) is read with all().
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...bind(parameters)),
    run: (parameters) => statement.run(...bind(parameters)),
    iterate: (parameters) => statement.iterate(...bind(parameters)),
  };
}

/**
 * Presents a `node:sqlite` database as the better-sqlite3-shaped object Kysely's SqliteDialect
 * expects. Prepared statements are cached by SQL text, since Kysely prepares on every query.
 */
export function adaptNodeSqlite(database: DatabaseSync): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) {
        // Re-insert to keep the map in least-recently-used order.
        statements.delete(sql);
      } else {
        statement = adaptStatement(database.prepare(sql));
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
    close() {
      statements.clear();
      if (database.isOpen) database.close();
    },
  };
}

/**
 * A Kysely dialect over a `node:sqlite` DatabaseSync.
 *
 * @example
 * const db = new Kysely<Database>({ dialect: createSqliteDialect(new DatabaseSync("sluice.db")) });
 */
export function createSqliteDialect(database: DatabaseSync): SqliteDialect {
  return new SqliteDialect({ database: adaptNodeSqlite(database) });
}
