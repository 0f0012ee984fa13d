/**
 * Options of {@link PluginStorage.set}.
 *
 * @example
 * const options: StorageSetOptions = { ttlSeconds: 3600 };
 */
export interface StorageSetOptions {
  /** Seconds until the value expires (then it reads as missing and is swept); absent: kept until deleted. */
  ttlSeconds?: number;
}

/**
 * A key/value space in the server's database, shared by every instance of the server: `ctx.storage`
 * is the plugin's own, `ctx.storage.user` the plugin's for the requesting user. Values are JSON
 * data (no Dates, Maps or class instances). Keys, values and the plugin's total are capped by the
 * server's settings; a `set` past a cap fails with `PAYLOAD_TOO_LARGE` and leaves what was stored.
 *
 * @example
 * const seen = ((await ctx.storage.user.get<number>("requests")) ?? 0) + 1;
 * await ctx.storage.user.set("requests", seen);
 * await ctx.storage.set("cache:" + query, answer, { ttlSeconds: 600 });
 * for (const key of await ctx.storage.list("cache:")) await ctx.storage.delete(key);
 */
export interface PluginStorage {
  /** The value stored under `key`, or `undefined` when there is none (or it expired). */
  get<Value = unknown>(key: string): Promise<Value | undefined>;
  /** Stores `value` (JSON data) under `key`, replacing what was there. */
  set(key: string, value: unknown, options?: StorageSetOptions): Promise<void>;
  /** Deletes `key`; resolves `true` when there was a value. */
  delete(key: string): Promise<boolean>;
  /** The keys that start with `prefix` (all keys without one), sorted. */
  list(prefix?: string): Promise<string[]>;
}

/**
 * `ctx.storage`: the plugin's space, and under `user` the plugin's space for the requesting user
 * (which fails when a call has no user, such as a background call outside any request).
 *
 * @example
 * await ctx.storage.set("last-run", new Date().toISOString());
 * await ctx.storage.user.set("language", "de");
 */
export interface PluginStorageSpaces extends PluginStorage {
  readonly user: PluginStorage;
}

/**
 * `ctx.request`: harmless facts of the HTTP request that started the turn (what Open WebUI
 * plugins read from `__request__`). Never credentials: no cookies, no `Authorization`.
 *
 * @example
 * const link = `${ctx.request?.baseUrl}/c/${ctx.metadata.chat_id}`;
 * const language = ctx.request?.headers["accept-language"]?.split(",")[0] ?? "en";
 */
export interface RequestFacts {
  /** The server's address as the client used it, e.g. `https://chat.example.com`, without a trailing slash. */
  baseUrl: string;
  headers: {
    "accept-language"?: string;
    "user-agent"?: string;
  };
}
