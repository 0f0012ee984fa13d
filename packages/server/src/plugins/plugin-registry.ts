import { SluiceError } from "@sluice/sdk";
import { loadPlugin, type LoadPluginOptions, type LoadedPlugin } from "./load-plugin.ts";
import { limitsKey, storedLimits, type PluginLimits } from "./plugin-limits.ts";

/** Functions (pipes, filters, actions) and tools live in separate tables with separate ids. */
export type PluginNamespace = "function" | "tool";

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
  const grant = namespace === "tool" ? [...granted].sort().join(",") : granted.includes("node") ? "node" : "";
  return `${contentHash}|${limitsKey(limits)}|${grant}`;
}

export interface PluginRegistryOptions extends Omit<LoadPluginOptions, "pluginId" | "expectedKind"> {
  /** Called after each load the registry performs (not for `put`): a hook for tests and metrics. */
  onLoad?: (namespace: PluginNamespace, id: string, loaded: LoadedPlugin) => void;
}

interface Entry {
  loaded: LoadedPlugin;
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
 * @example
 * const registry = new PluginRegistry({ logger });
 * const { sandbox } = await registry.get("function", row);
 */
export class PluginRegistry {
  readonly #options: PluginRegistryOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, PendingLoad>();

  constructor(options: PluginRegistryOptions = {}) {
    this.#options = options;
  }

  /** The loaded plugin for `row`: from the cache when its hash matches and its sandbox works, else loaded now. */
  get(namespace: PluginNamespace, row: PluginRow): Promise<LoadedPlugin> {
    const key = `${namespace}:${row.id}`;
    const granted = storedGrant(row);
    const limits = storedLimits(row.meta);
    const rowKey = cacheKey(namespace, row.content_hash, granted, limits);
    const entry = this.#entries.get(key);
    if (entry && entry.rowKey === rowKey && !entry.loaded.sandbox.isDisposed) {
      return Promise.resolve(entry.loaded);
    }
    const pending = this.#pending.get(key);
    if (pending && pending.rowKey === rowKey) return pending.promise;

    const load: PendingLoad = { rowKey, promise: Promise.resolve(undefined as never) };
    load.promise = this.#load(namespace, row, key, load, limits);
    this.#pending.set(key, load);
    return load.promise;
  }

  async #load(namespace: PluginNamespace, row: PluginRow, key: string, load: PendingLoad, limits: PluginLimits): Promise<LoadedPlugin> {
    const { onLoad, ...loadOptions } = this.#options;
    try {
      const loaded = await loadPlugin(row.content, {
        ...loadOptions,
        pluginId: row.id,
        expectedKind: namespace === "tool" ? "tools" : "function",
        grant: namespace === "tool" ? storedGrant(row) : "requested",
        isNodeGranted: storedGrant(row).includes("node"),
        limits,
      });
      if (this.#pending.get(key) === load) {
        this.#install(key, { loaded, rowKey: load.rowKey });
        onLoad?.(namespace, row.id, loaded);
        return loaded;
      }
      // Superseded while loading: a get for a newer hash, a put or an evict came in meanwhile.
      loaded.sandbox.dispose();
      const newer = this.#pending.get(key)?.promise ?? this.#entries.get(key)?.loaded;
      if (newer) return await newer;
      throw new SluiceError("NOT_FOUND", `Plugin "${row.id}" was removed while it was loading`, { pluginId: row.id });
    } finally {
      if (this.#pending.get(key) === load) this.#pending.delete(key);
    }
  }

  /** Stores a plugin the save path has just loaded, replacing (and retiring) the cached one. */
  put(namespace: PluginNamespace, id: string, loaded: LoadedPlugin): void {
    const key = `${namespace}:${id}`;
    this.#pending.delete(key);
    this.#install(key, { loaded, rowKey: cacheKey(namespace, loaded.contentHash, loaded.permissions.granted, loaded.limits) });
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

  /** Number of cached plugins. */
  get size(): number {
    return this.#entries.size;
  }

  /** Disposes every cached isolate now (shutdown). */
  dispose(): void {
    this.#pending.clear();
    for (const entry of this.#entries.values()) entry.loaded.sandbox.dispose();
    this.#entries.clear();
  }

  #install(key: string, entry: Entry): void {
    const previous = this.#entries.get(key);
    this.#entries.set(key, entry);
    if (previous && previous.loaded.sandbox !== entry.loaded.sandbox) previous.loaded.sandbox.disposeWhenIdle();
  }
}
