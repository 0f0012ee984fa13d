/**
 * In-memory ports for the unit tests of `core/`: plugins written as plain functions, chats in a
 * map, an upstream that answers from a script, events and log lines recorded. No sandbox, no
 * database, no network: what a test asserts is the turn's own decisions.
 */
import { SluiceError, type StreamEvent } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import type { FunctionKind, FunctionRecord, ModelRecord, PluginRecord, ToolRecord } from "../records.ts";
import type {
  CallScope,
  ChatStore,
  EventPort,
  EventSink,
  GatewayModel,
  ModelGateway,
  PluginNamespace,
  PluginSession,
  RequestTools,
  StoredMessage,
  StreamFilterLink,
  TurnEvent,
  TurnPorts,
  FileSource,
  TurnUser,
} from "../ports.ts";

/** What a hook of an in-memory plugin sees besides its payload. */
export interface FakeHookContext {
  id: string;
  user: TurnUser;
  metadata: Record<string, unknown>;
  valves: Record<string, unknown>;
  model: unknown;
  events: EventSink;
  toolName?: string;
  /** The request's tools (`ctx.tools`), once the turn resolved them. */
  tools?: RequestTools;
}

/** A plugin as plain functions; a hook that throws fails like a plugin's would. */
export interface FakePlugin {
  descriptor?: Partial<PluginDescriptor>;
  /** Hooks by name (`inlet`, `outlet`, `action`, `tool`, `pipes`, `pipe`); `pipe` may return an async iterable. */
  hooks?: Record<string, (payload: unknown, context: FakeHookContext) => unknown>;
  /**
   * The `stream` hook: return the chunk (a promise for an answer that is not at once), `null` to
   * drop it, or a SluiceError to report a failure. `link.lose()` marks its sandbox lost.
   */
  stream?: (chunk: StreamEvent, link: { lose(): void }) => unknown;
  /** Set to make loading fail with this error. */
  loadError?: Error;
}

export function descriptorOf(plugin: FakePlugin): PluginDescriptor {
  const hooks = Object.keys(plugin.hooks ?? {}) as PluginDescriptor["hooks"];
  return {
    kind: "filter",
    valvesSchema: null,
    userValvesSchema: null,
    secretFields: [],
    userSecretFields: [],
    pipes: null,
    hasDynamicPipes: false,
    actions: null,
    toggle: false,
    icon: null,
    tools: [],
    ...plugin.descriptor,
    hooks: plugin.descriptor?.hooks ?? (plugin.stream ? [...hooks, "stream"] : hooks),
  };
}

let clock = 1_700_000_000;

export function functionRecord(id: string, type: FunctionKind, fields: Partial<FunctionRecord> = {}): FunctionRecord {
  return {
    id,
    user_id: "admin",
    name: id,
    type,
    content: "",
    meta: { description: "", manifest: {} },
    valves: {},
    is_active: true,
    is_global: type === "filter",
    content_hash: id,
    load_error: null,
    created_at: clock++,
    updated_at: clock,
    ...fields,
  };
}

export function toolRecord(id: string, fields: Partial<ToolRecord> = {}): ToolRecord {
  return {
    id,
    user_id: "admin",
    name: id,
    content: "",
    specs: [],
    meta: { description: "", manifest: {} },
    valves: {},
    access_control: null,
    is_active: true,
    content_hash: id,
    load_error: null,
    created_at: clock++,
    updated_at: clock,
    ...fields,
  };
}

export function modelRecord(id: string, fields: Partial<ModelRecord> = {}): ModelRecord {
  return {
    id,
    user_id: "admin",
    base_model_id: null,
    name: id,
    meta: {},
    params: {},
    access_control: null,
    is_active: true,
    created_at: clock++,
    updated_at: clock,
    ...fields,
  };
}

export const ADA: TurnUser = { id: "ada", name: "Ada", email: "ada@example.com", role: "user", groupIds: [], settings: {} };

/** A plugin call as the fake session saw it. */
export interface RecordedCall {
  pluginId: string;
  hook: string;
  payload: unknown;
  metadata: Record<string, unknown>;
}

/** An upstream model's scripted answer: its chunks (an Error is thrown where it stands), or a function of the request body. */
export type ScriptedAnswer = Array<StreamEvent | Error> | ((body: Record<string, unknown>) => Array<StreamEvent | Error>);

/** Every port in memory, with what the test wants to look at. */
export class InMemoryWorld {
  readonly functions = new Map<string, FunctionRecord>();
  readonly tools = new Map<string, ToolRecord>();
  readonly modelRows = new Map<string, ModelRecord>();
  readonly plugins = new Map<string, FakePlugin>();
  readonly upstream = new Map<string, ScriptedAnswer>();
  /** Bodies the upstream received, in order. */
  readonly upstreamBodies: Array<Record<string, unknown>> = [];
  readonly unreachable: SluiceError[] = [];
  /** Chats by id: owner, title and messages. */
  readonly chats = new Map<string, { userId: string; title: string; messages: StoredMessage[] }>();
  /** Events sent to a request's sink, with the scope they were sent for. */
  readonly events: Array<{ event: TurnEvent; live: boolean; chatId?: string | null; origin?: { pluginId: string; hook?: string } }> = [];
  readonly calls: RecordedCall[] = [];
  /** Stream filters opened, in order; `reload` when opened again after its sandbox was lost. */
  readonly streamOpens: Array<{ pluginId: string; reload: boolean }> = [];
  readonly logs: Array<{ level: "info" | "warn"; message: string; fields: object }> = [];
  /** Stored files by id: the owner, and `text` for what the file store would read as text (undefined: binary). */
  readonly files = new Map<string, { userId: string; name: string; contentType: string; bytes: Uint8Array; text?: string }>();
  /** Sessions opened and not yet released. */
  openSessions = 0;
  settings = {
    maxToolCallIterations: 4,
    maxAnswerCharacters: 100_000,
    enableTitleGeneration: false,
    taskModel: undefined as string | undefined,
    maxModelCallDepth: 3,
  };

  addFunction(record: FunctionRecord, plugin: FakePlugin): FunctionRecord {
    this.functions.set(record.id, record);
    this.plugins.set(`function:${record.id}`, plugin);
    return record;
  }

  addTool(record: ToolRecord, plugin: FakePlugin): ToolRecord {
    this.tools.set(record.id, record);
    this.plugins.set(`tool:${record.id}`, plugin);
    return record;
  }

  addUpstreamModel(id: string, answer: ScriptedAnswer): void {
    this.upstream.set(id, answer);
  }

  /** A plugin session of the user with no browser, for tests of one step; release it as a request would. */
  openSession(user: TurnUser = ADA): PluginSession {
    return this.ports.plugins.open({ user, metadata: { user_id: user.id }, events: this.ports.events.forRequest(user, {}) });
  }

  /** Text of the events of one type, in order. */
  eventsOf(type: string): unknown[] {
    return this.events.filter((entry) => entry.event.type === type).map((entry) => entry.event.data);
  }

  get ports(): TurnPorts {
    return {
      plugins: { open: (scope) => this.#openSession(scope), isLocalLoadFailure: (error) => error instanceof LocalLoadFailure },
      events: this.#eventPort(),
      pluginStore: {
        listFunctions: async () => [...this.functions.values()],
        findFunction: async (id) => this.functions.get(id),
        findTool: async (id) => this.tools.get(id),
      },
      models: { listModels: async () => [...this.modelRows.values()], findModel: async (id) => this.modelRows.get(id) },
      chats: this.#chatStore(),
      gateway: this.#gateway(),
      log: {
        info: (fields, message) => this.logs.push({ level: "info", message, fields }),
        warn: (fields, message) => this.logs.push({ level: "warn", message, fields }),
      },
      settings: this.settings,
      files: this.#fileSource(),
    };
  }

  /** Stores a file for a test: text (also its text) or bytes. */
  addFile(id: string, fields: { userId?: string; name: string; contentType: string; data: string | Uint8Array; text?: string }): void {
    const bytes = typeof fields.data === "string" ? new TextEncoder().encode(fields.data) : fields.data;
    const text = fields.text ?? (typeof fields.data === "string" ? fields.data : undefined);
    this.files.set(id, {
      userId: fields.userId ?? ADA.id,
      name: fields.name,
      contentType: fields.contentType,
      bytes,
      ...(text === undefined ? {} : { text }),
    });
  }

  #fileSource(): FileSource {
    return {
      open: async (user, id) => {
        const file = this.files.get(id);
        if (!file || file.userId !== user.id) throw new SluiceError("NOT_FOUND", `File not found: ${id}`);
        return {
          id,
          name: file.name,
          contentType: file.contentType,
          size: file.bytes.length,
          dataUrl: async () => `data:${file.contentType};base64,${btoa(String.fromCharCode(...file.bytes))}`,
          text: async () => file.text,
        };
      },
    };
  }

  #eventPort(): EventPort {
    const sink = (live: boolean, chatId: string | null | undefined, canCall: boolean): EventSink => ({
      emit: async (event, origin) => {
        this.events.push({ event, live, chatId, ...(origin ? { origin } : {}) });
      },
      call: async (event) => {
        if (!canCall) throw new SluiceError("FORBIDDEN", "No browser session");
        this.events.push({ event, live, chatId });
        return { answeredBy: "browser" };
      },
      canCall,
    });
    return {
      forRequest: (_user, scope) => sink(Boolean(scope.sessionId), scope.chatId, Boolean(scope.sessionId)),
      notify: async (_user, scope, event) => {
        this.events.push({ event, live: true, chatId: scope.chatId });
      },
    };
  }

  #chatStore(): ChatStore {
    return {
      findChat: async (userId, chatId) => {
        const chat = this.chats.get(chatId);
        return chat && chat.userId === userId ? { title: chat.title, messages: chat.messages } : undefined;
      },
      updateMessage: async (chatId, messageId, update) => {
        const chat = this.chats.get(chatId);
        if (!chat) return undefined;
        const index = chat.messages.findIndex((message) => message.id === messageId);
        const next = update(index >= 0 ? structuredClone(chat.messages[index]) : undefined);
        if (next === undefined) return undefined;
        const stored = { ...next, id: messageId };
        if (index >= 0) chat.messages[index] = stored;
        else chat.messages.push(stored);
        return stored;
      },
      updateTitle: async (userId, chatId, title) => {
        const chat = this.chats.get(chatId);
        if (chat && chat.userId === userId) chat.title = title;
      },
    };
  }

  #gateway(): ModelGateway {
    const model = (id: string): GatewayModel => ({ id, name: id, owned_by: "openai", connectionIndex: 0, raw: { id } });
    const world = this;
    return {
      listModels: async () => [...this.upstream.keys()].map(model),
      findModel: async (id) => (this.upstream.has(id) ? model(id) : undefined),
      get unreachable() {
        return world.unreachable;
      },
      async *streamChat(target, body, signal) {
        world.upstreamBodies.push(body);
        const script = world.upstream.get(target.id);
        if (!script) throw new SluiceError("UPSTREAM_ERROR", `Unknown upstream model ${target.id}`);
        for (const chunk of typeof script === "function" ? script(body) : script) {
          if (signal?.aborted) throw signal.reason;
          if (chunk instanceof Error) throw chunk;
          yield chunk;
        }
      },
    };
  }

  #openSession(scope: CallScope): PluginSession {
    const world = this;
    world.openSessions += 1;
    let model: unknown;
    let tools: RequestTools | undefined;
    let released = false;
    const held = new Set<string>();
    const pluginOf = (namespace: PluginNamespace, record: PluginRecord): FakePlugin => {
      const plugin = world.plugins.get(`${namespace}:${record.id}`);
      if (!plugin) throw new SluiceError("NOT_FOUND", `No fake plugin ${namespace}:${record.id}`);
      if (plugin.loadError) throw plugin.loadError;
      held.add(`${namespace}:${record.id}`);
      return plugin;
    };
    const context = (record: PluginRecord, contextId: string, metadata: Record<string, unknown>, toolName?: string): FakeHookContext => ({
      id: contextId,
      user: scope.user,
      metadata: { ...scope.metadata, ...metadata },
      valves: record.valves,
      model,
      events: scope.events,
      ...(toolName ? { toolName } : {}),
      ...(tools ? { tools } : {}),
    });
    const run = async (
      namespace: PluginNamespace,
      record: PluginRecord,
      hook: string,
      payload: unknown,
      options: { toolName?: string; contextId?: string; metadata?: Record<string, unknown> },
    ) => {
      const plugin = pluginOf(namespace, record);
      const handler = plugin.hooks?.[hook];
      const metadata = { ...scope.metadata, ...options.metadata };
      world.calls.push({ pluginId: record.id, hook: options.toolName ?? hook, payload: structuredClone(payload), metadata });
      if (!handler) throw new SluiceError("PLUGIN_ERROR", `${record.id} has no ${hook} hook`, { pluginId: record.id, hook });
      try {
        const value = await handler(
          structuredClone(payload),
          context(record, options.contextId ?? record.id, options.metadata ?? {}, options.toolName),
        );
        return value === undefined && (hook === "inlet" || hook === "request" || hook === "outlet") ? payload : value;
      } catch (error) {
        if (SluiceError.isInstance(error)) throw error;
        throw new SluiceError("PLUGIN_ERROR", (error as Error).message, { pluginId: record.id, hook: options.toolName ?? hook });
      }
    };
    return {
      describe: async (namespace, record) => descriptorOf(pluginOf(namespace, record)),
      valves: (record) => record.valves,
      setModel: (value) => {
        model = value;
      },
      setTools: (value) => {
        tools = value;
      },
      invoke: (namespace, record, hook, payload, options = {}) => run(namespace, record, hook, payload, options),
      async *streamPipe(record, payload, options) {
        const output = await run("function", record, "pipe", payload, { contextId: options.contextId, metadata: options.metadata });
        if (typeof output === "object" && output !== null && Symbol.asyncIterator in output) {
          for await (const value of output as AsyncIterable<unknown>) {
            if (options.signal.aborted) throw options.signal.reason;
            yield value;
          }
        } else yield output;
      },
      openStreamFilter: async (record, options = {}) => {
        const plugin = pluginOf("function", record);
        world.streamOpens.push({ pluginId: record.id, reload: Boolean(options.reload) });
        const link: StreamFilterLink & { isLost: boolean } = {
          isLost: false,
          transform: (chunk) => {
            world.calls.push({ pluginId: record.id, hook: "stream", payload: chunk, metadata: scope.metadata });
            return plugin.stream ? plugin.stream(chunk, { lose: () => (link.isLost = true) }) : chunk;
          },
          close: () => {},
        };
        return link;
      },
      release: () => {
        if (!released) world.openSessions -= 1;
        released = true;
        held.clear();
      },
    };
  }
}

/** A load failure of this instance's own (see `PluginPort.isLocalLoadFailure`). */
export class LocalLoadFailure extends Error {}

/** Content chunks of an upstream answer, the last with a finish reason. */
export function textChunks(...pieces: string[]): StreamEvent[] {
  return [
    ...pieces.map((content) => ({ id: "up", model: "up", choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
    { id: "up", model: "up", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
  ];
}

/** One chunk of an upstream answer asking for tool calls (`arguments` as the model wrote them). */
export function toolCallChunk(...calls: Array<{ id: string; name: string; arguments: string }>): StreamEvent {
  return {
    id: "up",
    model: "up",
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: calls.map((call, index) => ({
            index,
            id: call.id,
            type: "function" as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        },
        finish_reason: "tool_calls",
      },
    ],
  };
}

/** Drains a turn's chunks into its text and finish reason. */
export async function readAnswer(
  chunks: AsyncIterable<StreamEvent>,
): Promise<{ text: string; finishReason: string | null; chunks: StreamEvent[] }> {
  let text = "";
  let finishReason: string | null = null;
  const all: StreamEvent[] = [];
  for await (const chunk of chunks) {
    all.push(chunk);
    for (const choice of chunk.choices) {
      if (typeof choice.delta?.content === "string") text += choice.delta.content;
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  return { text, finishReason, chunks: all };
}
