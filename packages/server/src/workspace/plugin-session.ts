import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { HookName, InvokeRequest } from "@sluice/sdk/runtime";
import type {
  CallScope,
  InvokeOptions,
  PluginNamespace,
  PluginPort,
  PluginSession,
  RequestTools,
  StreamFilterLink,
} from "../core/ports.ts";
import type { FunctionRecord, PluginRecord } from "../core/records.ts";
import type { LoadedPlugin } from "../plugins/loaded-plugin.ts";
import { isLocalLoadFailure } from "../plugins/is-local-load-failure.ts";
import type { InvocationHandlers } from "../sandbox/invocation-handlers.ts";
import type { SecretBox } from "../valves/secret-box.ts";
import type { PluginApi } from "../plugin-api/plugin-api.ts";
import { pluginApiScope } from "../plugin-api/plugin-api-scope.ts";
import { openValves } from "../valves/stored-valves.ts";
import type { PluginWorkspace } from "./plugin-workspace.ts";
import { storedUserValves } from "./stored-user-valves.ts";

/** What a request's plugin calls need of the server. */
export interface PluginSessionDependencies {
  workspace: Pick<PluginWorkspace, "loaded">;
  secrets: SecretBox;
  logger: Logger;
  /** Serves the plugins' `ctx.storage` and the other service-channel calls. */
  pluginApi: Pick<PluginApi, "serve">;
  /** `TASK_MODEL`, for `ctx.models.task`. */
  taskModel?: string;
}

/** The plugin port of the chat pipeline: each request's plugins, loaded through the workspace and run in their sandboxes. */
export function createPluginPort(dependencies: PluginSessionDependencies): PluginPort {
  return {
    open: (scope) => new SandboxPluginSession(dependencies, scope),
    isLocalLoadFailure,
  };
}

/**
 * Calls plugin hooks for one request. Each plugin is resolved once per request and kept, so a
 * save while the request runs never mixes old and new code within it.
 */
export class SandboxPluginSession implements PluginSession {
  readonly #dependencies: PluginSessionDependencies;
  readonly #scope: CallScope;
  #model: unknown;
  #tools: RequestTools | undefined;
  readonly #loaded = new Map<string, Promise<LoadedPlugin>>();
  readonly #releases: Array<() => void> = [];

  constructor(dependencies: PluginSessionDependencies, scope: CallScope) {
    this.#dependencies = dependencies;
    this.#scope = scope;
  }

  /**
   * The loaded plugin for a record, the same one for the whole request: it is held, so a save
   * while the request runs does not dispose it under the request (see {@link release}).
   */
  plugin(namespace: PluginNamespace, record: PluginRecord): Promise<LoadedPlugin> {
    const key = `${namespace}:${record.id}`;
    let loaded = this.#loaded.get(key);
    if (!loaded) {
      loaded = this.#dependencies.workspace.loaded(namespace, record).then((plugin) => {
        this.#releases.push(plugin.sandbox.hold());
        return plugin;
      });
      this.#loaded.set(key, loaded);
    }
    return loaded;
  }

  async describe(namespace: PluginNamespace, record: PluginRecord) {
    return (await this.plugin(namespace, record)).descriptor;
  }

  valves(record: PluginRecord): Record<string, unknown> {
    return openValves(record.valves, this.#dependencies.secrets);
  }

  setModel(model: unknown): void {
    this.#model = model;
  }

  setTools(tools: RequestTools): void {
    this.#tools = tools;
  }

  /** Loads a plugin again for this request after its sandbox was lost (the registry makes a fresh one). */
  reload(namespace: PluginNamespace, record: PluginRecord): Promise<LoadedPlugin> {
    this.#loaded.delete(`${namespace}:${record.id}`);
    return this.plugin(namespace, record);
  }

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
    const { user, messages, files, events, requestFacts } = this.#scope;
    const model = this.#model;
    const secrets = this.#dependencies.secrets;
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
      ...(requestFacts ? { request: requestFacts } : {}),
      taskModel: this.#dependencies.taskModel ?? null,
      canCall: events.canCall,
    };
  }

  /** Handlers that route the plugin's emit, call and log for this request. */
  handlers(record: PluginRecord, hook: string): InvocationHandlers {
    const { events } = this.#scope;
    const logger = this.#dependencies.logger.child({ pluginId: record.id, hook });
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
      serve: (method, args, context) => {
        // A model call the plugin makes stops when its hook call ends or the request goes away.
        const signals = [this.#scope.signal, context?.signal].filter((signal) => signal !== undefined);
        const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
        const scope = pluginApiScope(record, { ...this.#scope, tools: this.#tools });
        return this.#dependencies.pluginApi.serve({ ...scope, ...(signal ? { signal } : {}) }, method, args);
      },
    };
  }

  async invoke(
    namespace: PluginNamespace,
    record: PluginRecord,
    hook: string,
    payload: unknown,
    options: InvokeOptions = {},
  ): Promise<unknown> {
    const loaded = await this.plugin(namespace, record);
    const hookLabel = options.toolName ?? hook;
    const result = await loaded.sandbox.invoke(
      {
        hook: hook as HookName,
        ...(options.toolName ? { toolName: options.toolName } : {}),
        payload,
        context: this.context(namespace, record, options.contextId, options.metadata),
      },
      this.handlers(record, hookLabel),
      { signal: this.#scope.signal, ...(options.payloadText !== undefined ? { payloadText: options.payloadText } : {}) },
    );
    if (!result.ok) throw result.error;
    return result.value;
  }

  async *streamPipe(
    record: FunctionRecord,
    payload: unknown,
    options: { contextId: string; metadata: Record<string, unknown>; signal: AbortSignal },
  ): AsyncGenerator<unknown> {
    const loaded = await this.plugin("function", record);
    const outputs = loaded.sandbox.streamPipe(
      { hook: "pipe", payload, context: this.context("function", record, options.contextId, options.metadata) },
      this.handlers(record, "pipe"),
      { signal: options.signal },
    );
    for await (const output of outputs) yield output.value;
  }

  async openStreamFilter(record: FunctionRecord, options: { reload?: boolean } = {}): Promise<StreamFilterLink> {
    const loaded = options.reload ? await this.reload("function", record) : await this.plugin("function", record);
    const runner = loaded.sandbox;
    const session = runner.openStreamFilter({ context: this.context("function", record) }, this.handlers(record, "stream"));
    return {
      transform: (chunk) => session.transform(chunk),
      close: () => session.close(),
      get isLost() {
        return runner.isBroken || runner.isDisposed;
      },
    };
  }
}
