import type { PluginNamespace } from "../core/ports.ts";
import { loadPlugin, type LoadPluginOptions, type LoadedPlugin } from "./load-plugin.ts";
import { isTierPermission } from "./parse-permissions.ts";
import { limitsKey, storedLimits, type PluginLimits } from "./plugin-limits.ts";

/** Functions (pipes, filters, actions) and tools live in separate tables with separate ids. */
export type { PluginNamespace };

/** The columns of a function or tool row the registry needs. */
export interface PluginRow {
  id: string;
  content: string;
  content_hash: string;
  /**
   * For tools, `meta.permissions.granted` holds what an admin approved (see LoadedPlugin.permissions);
   * for both, `meta.limits` an admin's limit override (see {@link PluginLimits}).
   */
  meta?: Record<string, unknown> | null;
}

/** The permissions stored as granted on a row (`meta.permissions.granted`); none when absent. */
export function storedGrant(row: PluginRow): string[] {
  const permissions = row.meta?.permissions as { granted?: unknown } | null | undefined;
  const granted = permissions?.granted;
  return Array.isArray(granted) ? granted.filter((entry): entry is string => typeof entry === "string") : [];
}

/**
 * What a cached plugin was loaded for: its content, its limit override, and the permissions
 * granted (for functions only the trusted tier's, which an admin approves apart from saving).
 */
function cacheKey(namespace: PluginNamespace, contentHash: string, granted: readonly string[], limits: PluginLimits): string {
  const grant = namespace === "tool" ? [...granted].sort().join(",") : granted.filter(isTierPermission).join(",");
  return `${contentHash}|${limitsKey(limits)}|${grant}`;
}

export interface PluginRegistryOptions extends Omit<LoadPluginOptions, "pluginId" | "expectedNamespace"> {
  /** Called after each load the registry performs (not for `put`): a hook for tests and metrics. */
  onLoad?: (namespace: PluginNamespace, id: string, loaded: LoadedPlugin) => void;
  /** Most plugins kept loaded (`PLUGIN_MAX_RESIDENT`); past it the least recently used idle ones are unloaded. Default 64. */
  maxResident?: number;
  /** Unloads a plugin unused for this long (`PLUGIN_IDLE_EVICT_SECONDS`), in milliseconds. Default 10 minutes. */
  idleEvictMs?: number;
  /**
   * A plugin handed out this recently (ms) is not unloaded to make room: the caller may not have
   * taken its hold yet. Default 2000.
   */
  recentUseMs?: number;
  /** The clock, in milliseconds. For tests. */
  now?: () => number;
}

export const DEFAULT_MAX_RESIDENT = 64;
export const DEFAULT_IDLE_EVICT_MS = 10 * 60_000;
const DEFAULT_RECENT_USE_MS = 2000;

interface Entry {
  loaded: LoadedPlugin;
  /** When it was last handed out or installed (registry clock). */
  usedAt: number;
  /** The row (hash, grant) this entry serves. Kept apart from `loaded.contentHash` so that a row
   * hashed under an older SDK version is not reloaded on every request. */
  rowKey: string;
}

interface PendingLoad {
  rowKey: string;
  promise: Promise<LoadedPlugin>;
}

/**
 * Loaded plugins per `namespace:id`, each reused while its row's `content_hash` (and, for tools,
 * its granted permissions) is unchanged. A changed row or a broken sandbox (time or memory limit)
 * loads again; concurrent requests for the same row share one load. A replaced or evicted
 * plugin's isolate is disposed once the calls running in it have finished, so a request that
 * resolved a plugin keeps using the same code until it is done.
 *
 * Plugins are loaded on first use and do not stay loaded for ever: one unused for `idleEvictMs`
 * is unloaded, and past `maxResident` the least recently used ones are, never one in use (a call
 * in flight or a request's hold); the next use loads it again. Plugins in use may take the count
 * past `maxResident` for as long as they are in use.
 *
 * @example
 * const registry = new PluginRegistry({ logger });
 * const { sandbox } = await registry.get("function", row);
 */
export class PluginRegistry {
  readonly #options: PluginRegistryOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, PendingLoad>();
  readonly #maxResident: number;
  readonly #idleEvictMs: number;
  readonly #recentUseMs: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;
  #trimmer: NodeJS.Timeout | undefined;

  constructor(options: PluginRegistryOptions = {}) {
    this.#options = options;
    this.#maxResident = options.maxResident ?? DEFAULT_MAX_RESIDENT;
    this.#idleEvictMs = options.idleEvictMs ?? DEFAULT_IDLE_EVICT_MS;
    this.#recentUseMs = options.recentUseMs ?? DEFAULT_RECENT_USE_MS;
    this.#now = options.now ?? Date.now;
    const sweepEveryMs = Math.max(1000, Math.min(this.#idleEvictMs / 2, 60_000));
    this.#sweeper = setInterval(() => this.sweep(), sweepEveryMs).unref();
  }

  /** The loaded plugin for `row`: from the cache when its hash matches and its sandbox works, else loaded now. */
  get(namespace: PluginNamespace, row: PluginRow): Promise<LoadedPlugin> {
    const key = `${namespace}:${row.id}`;
    const granted = storedGrant(row);
    const limits = storedLimits(row.meta);
    const rowKey = cacheKey(namespace, row.content_hash, granted, limits);
    const entry = this.#entries.get(key);
    if (entry && entry.rowKey === rowKey && !entry.loaded.sandbox.isDisposed) {
      this.#touch(key, entry);
      return Promise.resolve(entry.loaded);
    }
    const pending = this.#pending.get(key);
    if (pending && pending.rowKey === rowKey) return pending.promise;

    const load: PendingLoad = { rowKey, promise: Promise.resolve(undefined as never) };
    load.promise = this.#load(namespace, row, key, load, limits);
    this.#pending.set(key, load);
    return load.promise;
  }

  /**
   * Loads `row` as {@link get} would, to check that it still loads, and disposes it right away
   * (the start-up check): nothing is kept. Resolves at once when it is loaded already.
   */
  async check(namespace: PluginNamespace, row: PluginRow): Promise<void> {
    const entry = this.#entries.get(`${namespace}:${row.id}`);
    const rowKey = cacheKey(namespace, row.content_hash, storedGrant(row), storedLimits(row.meta));
    if (entry && entry.rowKey === rowKey && !entry.loaded.sandbox.isDisposed) return;
    (await this.#loadRow(namespace, row, storedLimits(row.meta))).sandbox.dispose();
  }

  #loadRow(namespace: PluginNamespace, row: PluginRow, limits: PluginLimits): Promise<LoadedPlugin> {
    const { onLoad: _onLoad, maxResident: _max, idleEvictMs: _idle, recentUseMs: _recent, now: _now, ...loadOptions } = this.#options;
    return loadPlugin(row.content, {
      ...loadOptions,
      pluginId: row.id,
      expectedNamespace: namespace,
      grant: namespace === "tool" ? storedGrant(row) : "requested",
      isNodeGranted: storedGrant(row).some(isTierPermission),
      limits,
    });
  }

  async #load(namespace: PluginNamespace, row: PluginRow, key: string, load: PendingLoad, limits: PluginLimits): Promise<LoadedPlugin> {
    const { onLoad } = this.#options;
    try {
      const loaded = await this.#loadRow(namespace, row, limits);
      if (this.#pending.get(key) === load) {
        this.#install(key, { loaded, rowKey: load.rowKey, usedAt: this.#now() });
        onLoad?.(namespace, row.id, loaded);
        return loaded;
      }
      // Superseded while loading: a get for a newer hash or a put came in meanwhile; use theirs.
      const newer = this.#pending.get(key)?.promise ?? this.#entries.get(key)?.loaded;
      if (newer) {
        loaded.sandbox.dispose();
        return await newer;
      }
      // Evicted meanwhile (a change on another instance, a delete): this is still the code the
      // caller's row holds, so it is kept; the next get with a newer row loads that one instead.
      // Failing here would mark a healthy plugin as broken for every instance.
      this.#install(key, { loaded, rowKey: load.rowKey, usedAt: this.#now() });
      onLoad?.(namespace, row.id, loaded);
      return loaded;
    } finally {
      if (this.#pending.get(key) === load) this.#pending.delete(key);
    }
  }

  /** Stores a plugin the save path has just loaded, replacing (and retiring) the cached one. */
  put(namespace: PluginNamespace, id: string, loaded: LoadedPlugin): void {
    const key = `${namespace}:${id}`;
    this.#pending.delete(key);
    this.#install(key, {
      loaded,
      rowKey: cacheKey(namespace, loaded.contentHash, loaded.permissions.granted, loaded.limits),
      usedAt: this.#now(),
    });
  }

  /** The cached plugin, if any, without loading. */
  peek(namespace: PluginNamespace, id: string): LoadedPlugin | undefined {
    return this.#entries.get(`${namespace}:${id}`)?.loaded;
  }

  /** Drops a plugin (deleted, deactivated, changed on another instance); its isolate is disposed once idle. */
  evict(namespace: PluginNamespace, id: string): void {
    const key = `${namespace}:${id}`;
    this.#pending.delete(key);
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    entry?.loaded.sandbox.disposeWhenIdle();
  }

  /** Number of cached (loaded) plugins. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Unloads plugins idle for `idleEvictMs`, then the least recently used idle ones past
   * `maxResident`. Runs on a timer and after each load; callable directly (tests).
   */
  sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      const { sandbox } = entry.loaded;
      if (!sandbox.isInUse && now - entry.usedAt >= this.#idleEvictMs) this.#drop(key, entry);
    }
    // Map order is least recently used first (see #touch).
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxResident) break;
      if (!entry.loaded.sandbox.isInUse && now - entry.usedAt >= this.#recentUseMs) this.#drop(key, entry);
    }
    // Still over: the rest were in use or just handed out. Look again once those may be done.
    if (this.#entries.size > this.#maxResident && !this.#trimmer) {
      this.#trimmer = setTimeout(
        () => {
          this.#trimmer = undefined;
          this.sweep();
        },
        Math.max(this.#recentUseMs, 250),
      ).unref();
    }
  }

  /** Disposes every cached isolate now (shutdown). */
  dispose(): void {
    clearInterval(this.#sweeper);
    clearTimeout(this.#trimmer);
    this.#pending.clear();
    for (const entry of this.#entries.values()) entry.loaded.sandbox.dispose();
    this.#entries.clear();
  }

  #install(key: string, entry: Entry): void {
    const previous = this.#entries.get(key);
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (previous && previous.loaded.sandbox !== entry.loaded.sandbox) previous.loaded.sandbox.disposeWhenIdle();
    this.sweep();
  }

  /** Marks an entry used now and moves it to the end of the map (most recently used). */
  #touch(key: string, entry: Entry): void {
    entry.usedAt = this.#now();
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #drop(key: string, entry: Entry): void {
    this.#entries.delete(key);
    entry.loaded.sandbox.disposeWhenIdle();
  }
}
