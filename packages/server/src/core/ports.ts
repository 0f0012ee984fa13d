/**
 * The ports of a chat turn: everything core asks of the world, declared here and implemented by
 * the adapters (the database, the sandbox, the upstreams, the browser sessions), which
 * `services.ts` wires together. Core imports no adapter; its unit tests use in-memory ports
 * (`core/testing/in-memory-ports.ts`).
 */
import type { RequestFacts, SluiceError, StreamEvent } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import type { ChatMessage } from "@sluice/sdk/wire";
import type { Principal } from "./access-control.ts";
import type { FunctionRecord, ModelRecord, PluginRecord, ToolRecord } from "./records.ts";

/** Who asks: the signed-in user a turn runs for. */
export interface TurnUser extends Principal {
  name: string;
  email: string;
  /** The user's settings (their user valves live there). */
  settings: Record<string, unknown>;
}

/** Functions hold pipes, filters and actions; tools hold tool modules. */
export type PluginNamespace = "function" | "tool";

/** An event of a plugin or of the pipeline (`status`, `chat:completion`, `confirmation`, …). */
export interface TurnEvent {
  type: string;
  data: unknown;
}

/** Where the events of one request go: the user's tabs, the chat message, or nowhere. */
export interface EventSink {
  /** `origin` names the plugin and hook, for what is logged about the event. */
  emit(event: TurnEvent, origin?: { pluginId: string; hook?: string }): Promise<void>;
  /** Asks the tab the request came from and resolves with its answer. */
  call(event: TurnEvent): Promise<unknown>;
  /** False for API callers without a browser session: `ctx.call` then fails at once. */
  canCall: boolean;
}

/** Makes the event sink of one request. */
export interface EventPort {
  /** From the UI (a `sessionId`): live to the user's tabs and saved on the message; from an API caller naming a message: saved only; else nowhere. */
  forRequest(user: TurnUser, scope: { chatId?: string | null; messageId?: string | null; sessionId?: string | null }): EventSink;
  /** Tells every tab of the user (and saves the event's effect on the message, if it has one), whoever asked. */
  notify(user: TurnUser, scope: { chatId: string; messageId?: string | null }, event: TurnEvent): Promise<void>;
}

/** What every hook of one request shares: it becomes each call's `ctx`. */
export interface CallScope {
  user: TurnUser;
  metadata: Record<string, unknown>;
  messages?: unknown[];
  files?: unknown[];
  events: EventSink;
  /** Aborts the request's calls (the client left, the user stopped the answer). */
  signal?: AbortSignal;
  /** The HTTP request that started the turn, as plugins see it (`ctx.request`); absent for background work. */
  requestFacts?: RequestFacts;
  /** How deep this turn is nested in model calls plugins made (`ctx.models.complete`): 0 (absent) for a client's own. */
  depth?: number;
}

/** A filter's `stream` hook, opened for one response. */
export interface StreamFilterLink {
  /** The chunk the hook returned (`null` drops it), or the SluiceError it failed with; synchronous when it could answer at once. */
  transform(chunk: StreamEvent): unknown | Promise<unknown>;
  close(): void;
  /** True once its sandbox was lost (to a limit, a crash): open it again for the next chunk. */
  readonly isLost: boolean;
}

export interface InvokeOptions {
  /** The tool to run, for hook `tool`. */
  toolName?: string;
  /** `ctx.id`: `<id>.<entry>` for an action entry; the plugin's id by default. */
  contextId?: string;
  /** Added to the request's `ctx.metadata`. */
  metadata?: Record<string, unknown>;
  /**
   * The payload as JSON text, when the caller has it (a chain handing a body on): spares
   * serialising it again. A hook that hands the payload back unchanged resolves with the very
   * payload object given.
   */
  payloadText?: string;
}

/** A tool as plugins list it (`ctx.tools.list()`): the name the model would see, its description and JSON Schema parameters. */
export interface ToolInfo {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/**
 * The tools of one request (its `tool_ids` and the model's), for the plugins of that request
 * (`ctx.tools`): known once the inlet chain ran and the tools were resolved.
 */
export interface RequestTools {
  list(): ToolInfo[];
  /**
   * Runs one tool in its own sandbox, its events going to the request's message, and resolves with
   * its result. Rejects with a SluiceError: NOT_FOUND for a name the request has no tool for,
   * INVALID_INPUT for arguments its parameters schema refuses, the tool's own error otherwise.
   */
  call(name: string, args: Record<string, unknown>): Promise<unknown>;
}

/**
 * The plugins of one request. Each plugin is loaded once per request and held until
 * {@link release}, so a save while the request runs never mixes old and new code within it.
 */
export interface PluginSession {
  /** Loads (once) and holds the plugin; rejects with a SluiceError when it does not load. */
  describe(namespace: PluginNamespace, record: PluginRecord): Promise<PluginDescriptor>;
  /** The plugin's admin valves, decrypted. */
  valves(record: PluginRecord): Record<string, unknown>;
  /** Sets `ctx.model` for the calls that follow (once the model is known). */
  setModel(model: unknown): void;
  /** Gives the calls that follow the request's tools (`ctx.tools`), once they are resolved. */
  setTools(tools: RequestTools): void;
  /** Runs one hook and resolves with its value; a failure rejects with a SluiceError naming plugin and hook. */
  invoke(namespace: PluginNamespace, record: PluginRecord, hook: string, payload: unknown, options?: InvokeOptions): Promise<unknown>;
  /** Runs a pipe: what it returns or yields, as it comes. */
  streamPipe(
    record: FunctionRecord,
    payload: unknown,
    options: { contextId: string; metadata: Record<string, unknown>; signal: AbortSignal },
  ): AsyncIterable<unknown>;
  /** Opens a filter's stream hook; `reload` loads the plugin again first (its sandbox was lost). */
  openStreamFilter(record: FunctionRecord, options?: { reload?: boolean }): Promise<StreamFilterLink>;
  /** Lets go of every plugin held; call once the request is over. */
  release(): void;
}

/** Opens the plugin session of a request. */
export interface PluginPort {
  open(scope: CallScope): PluginSession;
  /** Whether a load failure is this server instance's own (an unreachable npm registry, an older Node), not the plugin's. */
  isLocalLoadFailure(error: unknown): boolean;
}

/** The stored functions and tools. */
export interface PluginStore {
  listFunctions(): Promise<FunctionRecord[]>;
  findFunction(id: string): Promise<FunctionRecord | undefined>;
  findTool(id: string): Promise<ToolRecord | undefined>;
}

/** The model rows: settings of upstream and pipe models, and custom models. */
export interface ModelStore {
  listModels(): Promise<ModelRecord[]>;
  findModel(id: string): Promise<ModelRecord | undefined>;
}

/** A stored message as the turn reads and writes it. */
export type StoredMessage = ChatMessage;

/** The stored chats. Temporary chats (`local:…`) are never stored. */
export interface ChatStore {
  /** The user's chat's messages; undefined when there is no such chat of theirs. */
  findChat(userId: string, chatId: string): Promise<{ title: string; messages: StoredMessage[] } | undefined>;
  /**
   * Changes one message atomically: `update` gets the stored one (undefined when new) and returns
   * the new one, or undefined to change nothing. Resolves to what was stored.
   */
  updateMessage(
    chatId: string,
    messageId: string,
    update: (message: StoredMessage | undefined) => StoredMessage | undefined,
  ): Promise<StoredMessage | undefined>;
  updateTitle(userId: string, chatId: string, title: string): Promise<void>;
}

/** A stored file a chat request attaches, as the turn reads it. */
export interface AttachedFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** The content as a `data:` URL (how an image reaches a vision model). */
  dataUrl(): Promise<string>;
  /**
   * The content as text: UTF-8 for text-like files, the extracted text of a PDF; undefined for
   * other files. A PDF that cannot be read fails with INVALID_INPUT naming it.
   */
  text(): Promise<string | undefined>;
}

/** The stored files (`/api/v1/files`), as chat requests attach them. */
export interface FileSource {
  /** A file the user may read; a NOT_FOUND SluiceError for any other id (or none), so ids do not leak. */
  open(user: TurnUser, id: string): Promise<AttachedFile>;
}

/** A model an upstream connection offers. */
export interface GatewayModel {
  id: string;
  /** The upstream's `name` when it gives one, else the id. */
  name: string;
  /** The upstream's `owned_by`, `"openai"` when absent. */
  owned_by: string;
  /** Which configured connection serves it. */
  connectionIndex: number;
  /** The entry of the upstream's model list as it came. */
  raw: Record<string, unknown>;
}

/** The OpenAI-compatible upstreams. */
export interface ModelGateway {
  listModels(): Promise<GatewayModel[]>;
  findModel(id: string): Promise<GatewayModel | undefined>;
  /** The upstreams that did not answer the last model listing, as errors. */
  readonly unreachable: readonly SluiceError[];
  /** The model's answer as chunks; aborting the signal stops the request. */
  streamChat(model: GatewayModel, body: Record<string, unknown>, signal?: AbortSignal): AsyncIterable<StreamEvent>;
}

/** Where core writes what goes wrong without failing the request. */
export interface TurnLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** The server's settings a turn follows. */
export interface TurnSettings {
  /** `MAX_TOOL_CALL_ITERATIONS`: model rounds per turn when tools are called. */
  maxToolCallIterations: number;
  /** `CHAT_RESPONSE_MAX_CHARACTERS`. */
  maxAnswerCharacters: number;
  /** `TASK_MODEL`: the model that names chats. */
  taskModel?: string;
  /** `ENABLE_TITLE_GENERATION`. */
  enableTitleGeneration: boolean;
  /** `PLUGIN_MODEL_CALL_MAX_DEPTH`: how deep model calls of plugins (`ctx.models.complete`) may nest; 3 when absent. */
  maxModelCallDepth?: number;
}

/** Every port of the chat pipeline: what `services.ts` builds once at start-up. */
export interface TurnPorts {
  plugins: PluginPort;
  events: EventPort;
  pluginStore: PluginStore;
  models: ModelStore;
  chats: ChatStore;
  gateway: ModelGateway;
  log: TurnLog;
  settings: TurnSettings;
  /** The file store, for the files a request attaches; without it, attached files are refused. */
  files?: FileSource;
}
