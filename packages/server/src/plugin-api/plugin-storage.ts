import { SluiceError } from "@sluice/sdk";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import {
  deleteStoredValue,
  findStoredValue,
  listStoredKeys,
  sweepExpiredValues,
  writeStoredValue,
  type StorageSpace,
} from "../db/plugin-storage-repository.ts";
import type { Database } from "../db/schema.ts";

/** The caps of plugin storage (`PLUGIN_STORAGE_MAX_KEY_LENGTH`, `…_MAX_VALUE_BYTES`, `…_MAX_TOTAL_BYTES`). */
export interface PluginStorageLimits {
  /** Longest key, in characters. */
  maxKeyLength: number;
  /** Largest value, in UTF-8 bytes of its JSON. */
  maxValueBytes: number;
  /** Most bytes (keys and values) one plugin keeps, all its spaces together. */
  maxTotalBytes: number;
}

export interface PluginStorageOptions {
  db: Kysely<Database>;
  limits: PluginStorageLimits;
  logger: Logger;
  /** The clock, in epoch milliseconds (tests move it). */
  now?: () => number;
}

/** Ten years: a longer ttl is a mistake more likely than a wish. */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 60 * 60;

/**
 * What `ctx.storage` does, in the database (so every instance sees the same values): JSON values
 * under string keys, per space (see {@link StorageSpace}), with the caps checked before anything is
 * written, so a refused write leaves the stored value as it was. Expired values read as missing,
 * are deleted before a plugin's total is counted, and are swept now and then (see {@link startSweeping}).
 */
export class PluginStorage {
  readonly limits: PluginStorageLimits;
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;
  readonly #now: () => number;
  #sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: PluginStorageOptions) {
    this.#db = options.db;
    this.limits = options.limits;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** `{ value }` for a stored value, null when there is none (JSON cannot carry undefined). */
  async get(space: StorageSpace, key: string): Promise<{ value: unknown } | null> {
    this.#checkKey(key);
    const json = await findStoredValue(this.#db, space, key, this.#now());
    return json === undefined ? null : { value: JSON.parse(json) as unknown };
  }

  async set(space: StorageSpace, key: string, value: unknown, options: { ttlSeconds?: number | null } = {}): Promise<null> {
    this.#checkKey(key);
    const ttlSeconds = options.ttlSeconds ?? undefined;
    if (ttlSeconds !== undefined && !(ttlSeconds > 0 && ttlSeconds <= MAX_TTL_SECONDS)) {
      throw new SluiceError("INVALID_INPUT", `ttlSeconds must be a positive number of seconds up to ${MAX_TTL_SECONDS}, got ${ttlSeconds}`);
    }
    const json = JSON.stringify(value === undefined ? null : value);
    const valueBytes = Buffer.byteLength(json);
    const { maxValueBytes, maxTotalBytes } = this.limits;
    if (valueBytes > maxValueBytes) {
      throw new SluiceError(
        "PAYLOAD_TOO_LARGE",
        `The value for "${key}" is ${valueBytes} bytes of JSON; the limit is ${maxValueBytes} (PLUGIN_STORAGE_MAX_VALUE_BYTES). Nothing was stored`,
      );
    }
    const nowMs = this.#now();
    const written = await writeStoredValue(
      this.#db,
      space,
      key,
      {
        json,
        size: Buffer.byteLength(key) + valueBytes,
        expiresAtMs: ttlSeconds === undefined ? null : nowMs + Math.round(ttlSeconds * 1000),
      },
      { maxTotalBytes, nowMs },
    );
    if (!written.isWritten) {
      throw new SluiceError(
        "PAYLOAD_TOO_LARGE",
        `Storing "${key}" would bring plugin "${space.pluginId}"'s storage to ${written.totalBytes} bytes; the limit is ${maxTotalBytes} ` +
          "(PLUGIN_STORAGE_MAX_TOTAL_BYTES). Nothing was stored: delete keys, or give values a ttlSeconds",
      );
    }
    return null;
  }

  delete(space: StorageSpace, key: string): Promise<boolean> {
    this.#checkKey(key);
    return deleteStoredValue(this.#db, space, key, this.#now());
  }

  list(space: StorageSpace, prefix: string): Promise<string[]> {
    if (prefix.length > this.limits.maxKeyLength) return Promise.resolve([]);
    return listStoredKeys(this.#db, space, prefix, this.#now());
  }

  /** Deletes expired values of every plugin every `intervalMs`, until {@link stopSweeping}. */
  startSweeping(intervalMs: number): void {
    this.stopSweeping();
    this.#sweepTimer = setInterval(() => {
      sweepExpiredValues(this.#db, this.#now()).catch((error: unknown) =>
        this.#logger.warn({ err: error }, "sweeping expired plugin storage failed; the next sweep tries again"),
      );
    }, intervalMs);
    this.#sweepTimer.unref();
  }

  stopSweeping(): void {
    clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  #checkKey(key: string): void {
    if (key === "") throw new SluiceError("INVALID_INPUT", "A storage key must not be empty");
    if (key.length > this.limits.maxKeyLength) {
      throw new SluiceError(
        "INVALID_INPUT",
        `A storage key is at most ${this.limits.maxKeyLength} characters (PLUGIN_STORAGE_MAX_KEY_LENGTH); this one has ${key.length}: "${key.slice(0, 40)}…"`,
      );
    }
  }
}
