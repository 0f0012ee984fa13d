import { SluiceError } from "@sluice/sdk";
import type { HookName, InvokeRequest } from "@sluice/sdk/runtime";
import type { RequestFacts } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import type { FunctionRecord } from "../db/functions-repository.ts";
import type { ToolRecord } from "../db/tools-repository.ts";
import type { LoadedPlugin } from "../plugins/load-plugin.ts";
import type { InvocationHandlers } from "../sandbox/invocation-handlers.ts";
import { openValves } from "../valves/stored-valves.ts";
import { storedUserValves } from "../workspace/user-valves.ts";
import { pluginApiScope } from "../plugin-api/plugin-api-scope.ts";
import type { PluginNamespace } from "../workspace/plugin-workspace.ts";

/** Where a plugin's `ctx.emit` / `ctx.call` go for one request. */
export interface PluginEvents {
  /** `origin` names the plugin and hook, for what is logged about the event. */
  emit(event: { type: string; data: unknown }, origin?: { pluginId: string; hook?: string }): Promise<void>;
  call(event: { type: string; data: unknown }): Promise<unknown>;
  /** False for API callers without a browser session: `ctx.call` then fails at once. */
  canCall: boolean;
}

/** What every hook of one request shares. */
export interface CallScope {
  user: RequestUser;
  metadata: Record<string, unknown>;
  model?: unknown;
  messages?: unknown[];
  files?: unknown[];
  events: PluginEvents;
  signal?: AbortSignal;
  /** The HTTP request that started the turn, as plugins see it (`ctx.request`); absent for background work. */
  requestFacts?: RequestFacts;
}

export type PluginRecord = FunctionRecord | ToolRecord;

/**
 * Calls plugin hooks for one request. Each plugin is resolved once per request and kept, so a
 * save while the request runs never mixes old and new code within it.
 */
export class PluginCaller {
  readonly #services: AppServices;
  readonly #scope: CallScope;
  readonly #loaded = new Map<string, Promise<LoadedPlugin>>();
  readonly #releases: Array<() => void> = [];

  constructor(services: AppServices, scope: CallScope) {
    this.#services = services;
    this.#scope = scope;
  }

  get scope(): CallScope {
    return this.#scope;
  }

  /**
   * The loaded plugin for a record, the same one for the whole request: it is held, so a save
   * while the request runs does not dispose it under the request (see {@link release}).
   */
  plugin(namespace: PluginNamespace, record: PluginRecord): Promise<LoadedPlugin> {
    const key = `${namespace}:${record.id}`;
    let loaded = this.#loaded.get(key);
    if (!loaded) {
      loaded = this.#services.workspace.loaded(namespace, record).then((plugin) => {
        this.#releases.push(plugin.sandbox.hold());
        return plugin;
      });
      this.#loaded.set(key, loaded);
    }
    return loaded;
  }

  /** Loads a plugin again for this request after its sandbox was lost (the registry makes a fresh one). */
  reload(namespace: PluginNamespace, record: PluginRecord): Promise<LoadedPlugin> {
    this.#loaded.delete(`${namespace}:${record.id}`);
    return this.plugin(namespace, record);
  }

  /** Lets go of every plugin this request held; call once the request is over. */
  release(): void {
    for (const release of this.#releases.splice(0)) release();
  }

  /** The `context` of an invocation: user, decrypted valves and user valves, metadata. */
  context(
    namespace: PluginNamespace,
    record: PluginRecord,
    contextId = record.id,
    metadata: Record<string, unknown> = {},
  ): InvokeRequest["context"] {
    const { user, model, messages, files, events, requestFacts } = this.#scope;
    const secrets = this.#services.secrets;
    return {
      id: contextId,
      user: { id: user.id, name: user.name, email: user.email, role: user.role },
      valves: openValves(record.valves, secrets),
      userValves: openValves(storedUserValves(user.settings, namespace, record.id), secrets),
      metadata: { ...this.#scope.metadata, ...metadata },
      ...(model === undefined ? {} : { model }),
      // Filters and pipes find the conversation in their body; copying it into every hook call
      // would serialise it twice. Tools get it, as Open WebUI's `__messages__`.
      ...(messages === undefined || namespace !== "tool" ? {} : { messages }),
      ...(files === undefined ? {} : { files }),
      canCall: events.canCall,
      ...(requestFacts ? { request: requestFacts } : {}),
    };
  }

  /** Handlers that route the plugin's emit, call and log for this request. */
  handlers(record: PluginRecord, hook: string): InvocationHandlers {
    const { events } = this.#scope;
    const logger = this.#services.logger.child({ pluginId: record.id, hook });
    return {
      emit: (event) => events.emit(event, { pluginId: record.id, hook }),
      call: (event) => {
        // Nobody is there to answer during a background task (a title, say).
        const task = this.#scope.metadata.task;
        if (task)
          return Promise.reject(
            new SluiceError("FORBIDDEN", `ctx.call cannot ask the user anything during a background task (${String(task)})`),
          );
        return events.call(event);
      },
      log: (level, message) => logger[level](message),
      serve: (method, args) => this.#services.pluginApi.serve(pluginApiScope(record, this.#scope), method, args),
    };
  }

  /** Runs one hook and returns its value; a failure is a SluiceError naming the plugin and hook. */
  async invoke(
    namespace: PluginNamespace,
    record: PluginRecord,
    hook: HookName,
    payload: unknown,
    options: { toolName?: string; contextId?: string; metadata?: Record<string, unknown>; timeoutMs?: number } = {},
  ): Promise<unknown> {
    const loaded = await this.plugin(namespace, record);
    const hookLabel = options.toolName ?? hook;
    const result = await loaded.sandbox.invoke(
      {
        hook,
        ...(options.toolName ? { toolName: options.toolName } : {}),
        payload,
        context: this.context(namespace, record, options.contextId, options.metadata),
      },
      this.handlers(record, hookLabel),
      { signal: this.#scope.signal, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) },
    );
    if (!result.ok) throw result.error;
    return result.value;
  }
}

/** Makes sure a thrown value is a SluiceError carrying the plugin and hook. */
export function asPluginError(error: unknown, pluginId: string, hook: string): SluiceError {
  if (SluiceError.isInstance(error)) return error;
  return new SluiceError("PLUGIN_ERROR", error instanceof Error ? error.message : String(error), { pluginId, hook, cause: error });
}
