import { hostname } from "node:os";
import { isQuarantined } from "../process/crash-quarantine.ts";
import { isLocalLoadFailure } from "../plugins/is-local-load-failure.ts";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { Database } from "../db/schema.ts";
import { updateFunction, type FunctionRecord } from "../db/functions-repository.ts";
import { updateTool, type ToolRecord } from "../db/tools-repository.ts";
import type { PluginMeta } from "../db/plugin-records.ts";
import { loadPlugin, type LoadedPlugin, type LoadPluginOptions } from "../plugins/load-plugin.ts";
import type { PermissionGrant } from "../plugins/parse-permissions.ts";
import type { PluginNamespace, PluginRegistry } from "../plugins/plugin-registry.ts";
import { LOCAL_CHANGE_FEED, type PluginChange, type PluginChangeFeed } from "./plugin-change-feed.ts";

export type { PluginNamespace };

export interface PluginWorkspaceOptions {
  db: Kysely<Database>;
  registry: PluginRegistry;
  logger: Logger;
  /** Tells other instances about saved and deleted plugins (Redis); local-only by default. */
  changes?: PluginChangeFeed;
  /** Names this instance in load errors it reports. */
  instanceId?: string;
  /** The same options the registry loads with, so a save loads exactly as a later use will. */
  loadOptions: Omit<LoadPluginOptions, "pluginId" | "expectedNamespace">;
}

/** Plugin ids: lower-case letters, digits and underscores (Open WebUI lower-cases ids too). */
export function normalisePluginId(raw: string): string {
  const id = raw.trim().toLowerCase();
  if (!/^[a-z0-9_]{1,64}$/.test(id)) {
    throw new SluiceError("INVALID_INPUT", "Only lower-case letters, digits and underscores are allowed in the id (at most 64)");
  }
  return id;
}

/** `meta` to store for a freshly loaded plugin: the form's fields, the frontmatter, what the code says. */
export function buildMeta(formMeta: Record<string, unknown> | undefined, loaded: LoadedPlugin): PluginMeta {
  const { descriptor, manifest } = loaded;
  const formDescription = typeof formMeta?.description === "string" ? formMeta.description.trim() : "";
  const meta: PluginMeta = {
    ...formMeta,
    description: formDescription || manifest.description || "",
    manifest,
    has_user_valves: descriptor.userValvesSchema !== null,
    // What the frontmatter asks for and what an admin granted; the registry loads tools with `granted`.
    permissions: loaded.permissions,
  };
  if (descriptor.kind === "filter" && descriptor.toggle) meta.toggle = true;
  else delete meta.toggle;
  // What an event plugin listens to, shown in the workspace.
  if (descriptor.kind === "events" && descriptor.events) meta.events = descriptor.events;
  else delete meta.events;
  const icon = manifest.icon_url ?? descriptor.icon;
  if (icon) meta.icon = icon;
  return meta;
}

/**
 * Loads plugins for the save path and for use, and keeps the rows' load state true: a stored
 * plugin that no longer loads is marked with its error (and a function is deactivated), so an
 * admin sees why in `GET …/id/{id}`.
 */
export class PluginWorkspace {
  readonly #options: PluginWorkspaceOptions;
  readonly #localErrors = new Map<string, string>();
  /** Names this instance in what it reports (`SLUICE_INSTANCE_ID`, else host name and process id). */
  readonly instanceId: string;

  constructor(options: PluginWorkspaceOptions) {
    this.#options = options;
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}`;
  }

  /** Why a plugin does not load on this instance only (see {@link isLocalLoadFailure}); null when it does. */
  localLoadError(namespace: PluginNamespace, id: string): string | null {
    return this.#localErrors.get(`${namespace}:${id}`) ?? null;
  }

  get registry(): PluginRegistry {
    return this.#options.registry;
  }

  /** Ends the process that runs saved code for the first time (see FirstLoadChecker). */
  closeFirstLoadChecker(): void {
    this.#options.loadOptions.firstLoadChecker?.close();
  }

  /** Puts a freshly saved plugin in the cache and tells the other instances its code changed. */
  install(namespace: PluginNamespace, id: string, loaded: LoadedPlugin): void {
    this.#options.registry.put(namespace, id, loaded);
    (this.#options.changes ?? LOCAL_CHANGE_FEED).publish({ namespace, id, contentHash: loaded.contentHash });
  }

  /** Drops a deleted plugin here and on the other instances. */
  remove(namespace: PluginNamespace, id: string): void {
    this.#options.registry.evict(namespace, id);
    (this.#options.changes ?? LOCAL_CHANGE_FEED).publish({ namespace, id });
  }

  /** Another instance saved or deleted a plugin: drop a copy of other code held here. */
  applyRemoteChange(change: PluginChange): void {
    const cached = this.#options.registry.peek(change.namespace, change.id);
    if (cached && cached.contentHash !== change.contentHash) this.#options.registry.evict(change.namespace, change.id);
  }

  /**
   * Loads new source for a save; nothing is cached or stored yet. Throws a 400-class error.
   * `grant`: the permissions it gets (default: all requested for functions, none for tools; an
   * admin saving a tool passes "requested", a user passes what the row had granted).
   * `isNodeGranted`: the row's approval of `permissions: node` carries over (see `keepsNodeGrant`).
   * A trusted-tier plugin without it is not run: it gets a placeholder and is stored inactive.
   */
  async prepare(
    namespace: PluginNamespace,
    id: string,
    content: string,
    grant?: PermissionGrant,
    isNodeGranted = false,
  ): Promise<LoadedPlugin> {
    return loadPlugin(content, {
      ...this.#options.loadOptions,
      pluginId: id,
      expectedNamespace: namespace,
      grant,
      isNodeGranted,
      allowPendingApproval: true,
      isFirstLoad: true,
    });
  }

  /**
   * Tells this instance and the others that a plugin's stored code changed without loading it here
   * (an import): a copy of other code held anywhere is dropped, and the next use loads the new one.
   */
  replaced(namespace: PluginNamespace, id: string, contentHash: string): void {
    const cached = this.#options.registry.peek(namespace, id);
    if (cached && cached.contentHash !== contentHash) this.#options.registry.evict(namespace, id);
    (this.#options.changes ?? LOCAL_CHANGE_FEED).publish({ namespace, id, contentHash });
  }

  /** The loaded plugin for a stored row (cached while its content hash is unchanged). */
  async loaded(namespace: PluginNamespace, record: FunctionRecord | ToolRecord): Promise<LoadedPlugin> {
    return this.#tracked(namespace, record, () => this.#options.registry.get(namespace, record));
  }

  /**
   * Checks that a stored row still loads, as {@link loaded} does (a row that does not is marked and
   * a function deactivated), without keeping it loaded: the start-up check.
   */
  async check(namespace: PluginNamespace, record: FunctionRecord | ToolRecord): Promise<void> {
    await this.#tracked(namespace, record, () => this.#options.registry.check(namespace, record));
  }

  async #tracked<T>(namespace: PluginNamespace, record: FunctionRecord | ToolRecord, load: () => Promise<T>): Promise<T> {
    // A plugin that crashed the server runs again only once an admin saves it (which clears the mark).
    if (isQuarantined(record.load_error)) throw new SluiceError("PLUGIN_LOAD_FAILED", record.load_error!, { pluginId: record.id });
    const localKey = `${namespace}:${record.id}`;
    try {
      const loaded = await load();
      this.#localErrors.delete(localKey);
      // A function switched off for its error keeps the reason until someone acts (saves or switches it on).
      const isOffForIt = namespace === "function" && !(record as FunctionRecord).is_active;
      if (record.load_error !== null && !isOffForIt) await this.#recordLoadError(namespace, record, null);
      return loaded;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isLocalLoadFailure(error)) {
        // This instance's trouble (no npm registry here, an older server): its log and its own
        // status, not a verdict written to the row every instance shares. Requests here that need
        // the plugin fail with this error rather than run without it.
        this.#localErrors.set(localKey, message);
        this.#options.logger.error(
          { pluginId: record.id, namespace, instance: this.instanceId },
          `plugin cannot load on this instance: ${message}`,
        );
        throw SluiceError.isInstance(error) ? error : new SluiceError("INTERNAL", message, { pluginId: record.id, cause: error });
      }
      if (!record.load_error?.startsWith(message) || (namespace === "function" && (record as FunctionRecord).is_active)) {
        await this.#recordLoadError(namespace, record, message);
      }
      throw SluiceError.isInstance(error) ? error : new SluiceError("PLUGIN_LOAD_FAILED", message, { pluginId: record.id, cause: error });
    }
  }

  async #recordLoadError(namespace: PluginNamespace, record: FunctionRecord | ToolRecord, reason: string | null): Promise<void> {
    let message = reason;
    const { db, logger } = this.#options;
    if (message === null) {
      record.load_error = null;
      if (namespace === "function") await updateFunction(db, record.id, { load_error: null });
      else await updateTool(db, record.id, { load_error: null });
      return;
    }
    logger.error({ pluginId: record.id, namespace }, `plugin failed to load and was deactivated: ${message}`);
    message = `${message} (reported by instance ${this.instanceId} at ${new Date().toISOString()})`;
    record.load_error = message;
    if (namespace === "function") {
      (record as FunctionRecord).is_active = false;
      await updateFunction(db, record.id, { load_error: message, is_active: false });
    } else {
      await updateTool(db, record.id, { load_error: message });
    }
  }
}
