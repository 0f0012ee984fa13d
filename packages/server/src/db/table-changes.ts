import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";

/**
 * How long after a write to a table its reads are not cached (ms): a write inside a transaction
 * is seen here when its statement runs, and others (PostgreSQL) see it only at the commit.
 */
const SETTLE_MS = 2_000;
/** The longest a cached read is used (ms), whatever the change feed says: a missed message heals. */
const MAX_AGE_MS = 10_000;
/** Cached reads kept per database before the oldest go. */
const MAX_ENTRIES = 10_000;

/**
 * Which tables were written, in this process (seen by {@link tableWritesPlugin} on every insert,
 * update and delete Kysely runs) and on other instances (told by the change feed): each write
 * raises the table's version, so a read cached under an older version is read again.
 */
export class TableChanges {
  #versions = new Map<string, number>();
  #settledAt = new Map<string, number>();
  #listeners = new Set<(tables: string[]) => void>();
  /** Raised by {@link noteWriteToAll}: part of every table's version. */
  #everything = 0;
  #everythingSettledAt = 0;

  /** One number that changes whenever any of the tables is written. */
  versionOf(tables: readonly string[]): number {
    let version = this.#everything;
    for (const table of tables) version += this.#versions.get(table) ?? 0;
    return version;
  }

  /** False shortly after a write to one of the tables (its transaction may not have committed). */
  isSettled(tables: readonly string[], now: number = Date.now()): boolean {
    return this.#everythingSettledAt <= now && tables.every((table) => (this.#settledAt.get(table) ?? 0) <= now);
  }

  /** Any table may have been written unseen (the change feed lost Redis for a while): every cached read goes. */
  noteWriteToAll(): void {
    this.#everything += 1;
    this.#everythingSettledAt = Date.now() + SETTLE_MS;
  }

  /** Notes a write; `fromFeed` for one another instance told of (it is not told on again). */
  noteWrite(tables: readonly string[], options: { fromFeed?: boolean } = {}): void {
    const settledAt = Date.now() + SETTLE_MS;
    for (const table of tables) {
      this.#versions.set(table, (this.#versions.get(table) ?? 0) + 1);
      this.#settledAt.set(table, settledAt);
    }
    if (!options.fromFeed) for (const listener of this.#listeners) listener([...tables]);
  }

  /** Hears this process's own writes (to tell the other instances); returns the way to stop. */
  onWrite(listener: (tables: string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** The tables an insert, update or delete writes; none for anything else. */
function writtenTables(node: RootOperationNode): string[] {
  const names: string[] = [];
  const add = (table: OperationNode | undefined) => {
    if (table?.kind === "TableNode") names.push((table as unknown as { table: { identifier: { name: string } } }).table.identifier.name);
    if (table?.kind === "AliasNode") add((table as unknown as { node: OperationNode }).node);
  };
  if (node.kind === "InsertQueryNode") add(node.into);
  else if (node.kind === "UpdateQueryNode") add(node.table);
  else if (node.kind === "DeleteQueryNode") for (const table of node.from.froms) add(table);
  return names;
}

/** Tells `changes` of every write Kysely runs, before and after it (a read in between is not kept). */
export function tableWritesPlugin(changes: TableChanges): KyselyPlugin {
  const pending = new WeakMap<QueryId, string[]>();
  return {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      const tables = writtenTables(node);
      if (tables.length > 0) {
        pending.set(queryId, tables);
        changes.noteWrite(tables);
      }
      return node;
    },
    async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const tables = pending.get(queryId);
      if (tables) changes.noteWrite(tables);
      return result;
    },
  };
}

interface Entry {
  version: number;
  at: number;
  value: Promise<unknown>;
}

const registry = new WeakMap<object, { changes: TableChanges; entries: Map<string, Entry> }>();

/** Lets {@link readThrough} cache reads of `db` (the one instance `connectDatabase` made). */
export function registerTableChanges(db: object, changes: TableChanges): void {
  registry.set(db, { changes, entries: new Map() });
}

/** The writes noted for `db` (to tell other instances of them), if it was registered. */
export function tableChangesOf(db: object): TableChanges | undefined {
  return registry.get(db)?.changes;
}

/**
 * Reads through a cache kept until one of `tables` is written (here or, with the change feed, on
 * another instance), at most {@link MAX_AGE_MS}: what the chat path reads on every request
 * (plugins, models, the signed-in user) costs no database read. Concurrent callers share one
 * read. The value is frozen, deeply: callers share it and must not change it. Without caching
 * (a transaction, a database not registered) it just reads.
 *
 * @example
 * const functions = await readThrough(db, "functions", ["function"], () => listFunctions(db));
 */
export function readThrough<T>(db: object, key: string, tables: readonly string[], read: () => Promise<T>): Promise<T> {
  const cache = registry.get(db);
  if (!cache) return read();
  const { changes, entries } = cache;
  const now = Date.now();
  const version = changes.versionOf(tables);
  const entry = entries.get(key);
  if (entry && entry.version === version && now - entry.at < MAX_AGE_MS) return entry.value as Promise<T>;
  const value = read().then(deepFreeze);
  if (!changes.isSettled(tables, now)) return value;
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(key, { version, at: now, value });
  // A failed read is not kept; neither is one a write overtook (its version is older by then).
  value.then(
    () => {
      if (changes.versionOf(tables) !== version && entries.get(key)?.value === value) entries.delete(key);
    },
    () => {
      if (entries.get(key)?.value === value) entries.delete(key);
    },
  );
  return value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
