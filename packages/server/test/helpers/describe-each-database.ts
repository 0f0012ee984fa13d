import { describe } from "vitest";
import { DATABASE_KINDS, type DatabaseKind } from "./test-database.ts";

/**
 * Runs a suite once per database engine, so every integration test covers SQLite and PostgreSQL.
 *
 * @example
 * describeEachDatabase("accounts", (kind) => {
 *   const server = useServer({ kind });
 *   it("answers health", async () => { … });
 * });
 */
export function describeEachDatabase(name: string, suite: (kind: DatabaseKind) => void): void {
  describe.each(DATABASE_KINDS)(`${name} (%s)`, suite);
}
