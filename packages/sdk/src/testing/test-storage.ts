import { SluiceError } from "../errors.ts";
import type { HostServeRequest } from "../runtime/types.ts";

/**
 * What a plugin stored during a test: its own space, and one space per user id.
 *
 * @example
 * expect(harness.storage.user["user-1"]).toEqual({ visits: 2 });
 */
export interface TestStorageSnapshot {
  plugin: Record<string, unknown>;
  user: Record<string, Record<string, unknown>>;
}

type Entry = { json: string; expiresAtMs: number | null };

/**
 * `ctx.storage` in memory for the test harness: the server's methods (`storage.get`, `storage.user.set`,
 * …) with their answers, ttl included; not its size caps, which are server settings.
 *
 * @example
 * const storage = createTestStorage();
 * await storage.serve({ method: "storage.set", args: ["k", 1] }, "user-1");
 */
export function createTestStorage() {
  const spaces = new Map<string, Map<string, Entry>>();
  const spaceOf = (name: string, userId: string | null) => {
    if (name === "storage.user" && !userId) throw new SluiceError("INVALID_INPUT", "ctx.storage.user needs a user, and this call has none");
    const id = name === "storage.user" ? `user:${userId}` : "plugin";
    let space = spaces.get(id);
    if (!space) spaces.set(id, (space = new Map()));
    return space;
  };
  const live = (space: Map<string, Entry>, key: string) => {
    const entry = space.get(key);
    if (entry?.expiresAtMs !== null && entry !== undefined && entry.expiresAtMs <= Date.now()) space.delete(key);
    return space.get(key);
  };
  const readAll = (space: Map<string, Entry> | undefined) =>
    Object.fromEntries(
      [...(space?.keys() ?? [])].flatMap((key) => (live(space!, key) ? [[key, JSON.parse(live(space!, key)!.json)]] : [])),
    );

  return {
    /** Answers one call of the service channel for `userId`; throws a SluiceError as the server would. */
    async serve(request: HostServeRequest, userId: string | null): Promise<unknown> {
      const match = /^(storage|storage\.user)\.(get|set|delete|list)$/.exec(request.method);
      if (!match) throw new SluiceError("INVALID_INPUT", `The test harness has no host method "${request.method}"`);
      const space = spaceOf(match[1]!, userId);
      const [key, value, options] = request.args as [string, unknown, { ttlSeconds?: number } | undefined];
      switch (match[2]) {
        case "get": {
          const entry = live(space, key);
          return entry ? { value: JSON.parse(entry.json) } : null;
        }
        case "set": {
          const ttl = options?.ttlSeconds;
          if (ttl !== undefined && ttl !== null && !(ttl > 0))
            throw new SluiceError("INVALID_INPUT", "ttlSeconds must be a positive number");
          space.set(key, { json: JSON.stringify(value), expiresAtMs: typeof ttl === "number" ? Date.now() + ttl * 1000 : null });
          return null;
        }
        case "delete": {
          const existed = live(space, key) !== undefined;
          space.delete(key);
          return existed;
        }
        default:
          return [...space.keys()].filter((name) => name.startsWith(key ?? "") && live(space, name)).sort();
      }
    },
    snapshot(): TestStorageSnapshot {
      const user: Record<string, Record<string, unknown>> = {};
      for (const [id, space] of spaces) if (id.startsWith("user:")) user[id.slice(5)] = readAll(space);
      return { plugin: readAll(spaces.get("plugin")), user };
    },
    clear(): void {
      spaces.clear();
    },
  };
}
