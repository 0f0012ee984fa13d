import type { z } from "zod";
import type { ActionBody, ChatBody, ChatMessage, FileReference, OutletBody } from "../chat-body.ts";
import type { PipeEntry } from "../define-pipe.ts";
import type { ToolParameters } from "../define-tools.ts";
import { SluiceError } from "../errors.ts";
import type { ModelInfo, PluginMetadata } from "../plugin-context.ts";
import type { EventOfType, SluiceEventType } from "../sluice-event.ts";
import type { ServerEvent, ServerEventName } from "../server-event.ts";
import type { StreamEvent } from "../stream-event.ts";
import type { ValvesSchema } from "../valves-schema.ts";
import { abortInvocation } from "../runtime/abort-invocation.ts";
import { buildDescriptor } from "../runtime/build-descriptor.ts";
import { checkValves } from "../runtime/check-valves.ts";
import { findPlugin } from "../runtime/find-plugin.ts";
import { runHook, type HookOutput } from "../runtime/run-hook.ts";
import { toInvokeError } from "../runtime/to-invoke-error.ts";
import type { HookName, InvokeRequest, InvokeUser, PluginDescriptor, ValvesResult } from "../runtime/types.ts";
import { collectPipeText } from "./collect-pipe-text.ts";
import { createTestHost, type AnswerCalls, type TestFetch, type TestRecord } from "./create-test-host.ts";
import { createTestStorage, type TestStorageSnapshot } from "./test-storage.ts";
import { createTestFiles, type TestFileSeed, type TestStoredFile } from "./test-files.ts";
import { createTestChat, type TestChat } from "./test-chat.ts";
import type { StoredChat } from "../plugin-chat.ts";
import { createTestMemories } from "./test-memories.ts";
import { createTestModels, type TestModelCall, type TestModels } from "./test-models.ts";
import { createTestTools, type TestTool } from "./test-tools.ts";

type SchemaOf<Plugin, Key extends "valves" | "userValves"> = Plugin extends { readonly [K in Key]?: infer Schema } ? Schema : undefined;

/**
 * Stored valve values for a schema: any subset of its fields (`null` means "use the default").
 *
 * @example
 * const valves: StoredValves<typeof schema> = { maxTurns: 3 };
 */
export type StoredValves<Schema> = Schema extends ValvesSchema
  ? { [K in keyof z.input<Schema>]?: z.input<Schema>[K] | null }
  : Record<string, unknown>;

type ToolsOf<Plugin> = Plugin extends { readonly tools: infer Tools } ? Tools : Record<string, { parameters: ToolParameters }>;
type ToolArguments<Plugin, Name> = Name extends keyof ToolsOf<Plugin>
  ? ToolsOf<Plugin>[Name] extends { parameters: infer Schema extends ToolParameters }
    ? z.input<Schema>
    : Record<string, unknown>
  : Record<string, unknown>;

/**
 * What a single hook call may override of the harness options.
 *
 * @example
 * await harness.inlet(body, { userValves: { maxTurns: 1 }, metadata: { session_id: null } });
 */
export interface TestCallOptions<Plugin = unknown> {
  /** `ctx.id`; default the harness id (for a manifold entry or action button, `<id>.<entry>`). */
  id?: string;
  valves?: StoredValves<SchemaOf<Plugin, "valves">>;
  userValves?: StoredValves<SchemaOf<Plugin, "userValves">>;
  user?: Partial<InvokeUser> | null;
  metadata?: PluginMetadata;
  model?: ModelInfo;
  messages?: ChatMessage[];
  files?: FileReference[];
}

/**
 * Options of {@link createTestHarness}.
 *
 * @example
 * const options: TestHarnessOptions = { valves: { maxTurns: 2 }, answerCalls: () => true };
 */
export interface TestHarnessOptions<Plugin = unknown> extends TestCallOptions<Plugin> {
  /** Answers `ctx.call`; without it `ctx.call` rejects as for an API caller. */
  answerCalls?: AnswerCalls;
  /** Answers `ctx.fetch`; without it `ctx.fetch` rejects with `PERMISSION_DENIED`. */
  fetch?: TestFetch;
  /** Files in the harness's store for `ctx.files.read` (owned by the harness's user unless said otherwise). */
  storedFiles?: TestFileSeed[];
  /** The stored chat `ctx.chat` reads and changes; without it the calls act as API calls without a chat. */
  chat?: TestChat | null;
  /** The memories each user id starts with (`ctx.memories`). */
  memories?: Record<string, string[]>;
  /** `ctx.models`: the models listed, how `complete` answers, the task model. Without it `complete` fails. */
  models?: TestModels;
  /** `ctx.tools`: the request's tools by name, each with its spec and what it answers. */
  tools?: Record<string, TestTool>;
}

/**
 * Runs a plugin's hooks in-process, with the same checks and semantics as the server's sandbox,
 * and records what it emitted, asked, logged and fetched. Failures throw a `SluiceError` (a plain
 * throw in the plugin has code `PLUGIN_ERROR`; the original error is its `cause`).
 *
 * @example
 * const harness = createTestHarness(turnLimit, { valves: { maxTurns: 2 } });
 * const body = await harness.inlet({ model: "m", messages: [{ role: "user", content: "hi" }] });
 * expect(harness.eventsOfType("status")[0].data.done).toBe(true);
 */
export interface TestHarness<Plugin = unknown> extends TestRecord {
  /** What the server would learn when loading the plugin (valve schemas, tool specs, hooks). */
  readonly descriptor: PluginDescriptor;
  /** The emitted events of one type, typed. */
  eventsOfType<Type extends SluiceEventType>(type: Type): Array<EventOfType<Type>>;
  inlet(body: ChatBody, options?: TestCallOptions<Plugin>): Promise<ChatBody>;
  /** A filter's `request` hook: the body as it would go to the model. */
  request(body: ChatBody, options?: TestCallOptions<Plugin>): Promise<ChatBody>;
  /** The chunk as the next filter sees it, or `null` when dropped. */
  stream(event: StreamEvent, options?: TestCallOptions<Plugin>): Promise<StreamEvent | null>;
  outlet(body: OutletBody, options?: TestCallOptions<Plugin>): Promise<OutletBody>;
  /** Runs `pipe` and returns the reply text (use {@link TestHarness.run} for the raw output). */
  pipe(body: ChatBody, options?: TestCallOptions<Plugin> & { subModel?: string }): Promise<string>;
  /** The manifold's model list (static, or from its `pipes` function). */
  pipes(options?: TestCallOptions<Plugin>): Promise<PipeEntry[]>;
  action(body: ActionBody, options?: TestCallOptions<Plugin> & { actionId?: string }): Promise<unknown>;
  /**
   * Delivers a server event to an event plugin as the server would (no user; every handler whose
   * name or pattern matches runs). What is not given is filled in: a fresh `id`, `ts` now, the
   * subject type of the event's name, `actor` null, `data` `{}`.
   */
  event<Name extends ServerEventName>(
    name: Name,
    fields?: Partial<Omit<ServerEvent<Name>, "name">>,
    options?: TestCallOptions<Plugin>,
  ): Promise<void>;
  /** Runs a tool with arguments validated by its parameters. */
  tool<Name extends keyof ToolsOf<Plugin> & string>(
    name: Name,
    args: ToolArguments<Plugin, Name>,
    options?: TestCallOptions<Plugin>,
  ): Promise<unknown>;
  /** What the plugin keeps in `ctx.storage` (in memory, ttl honoured), its own and per user id. */
  readonly storage: TestStorageSnapshot;
  /** The harness's file store: the `storedFiles` given and what the plugin made with `ctx.files.create`. */
  readonly storedFiles: TestStoredFile[];
  /** The `chat` option's chat as the plugin left it (title, meta), or null. */
  readonly chat: StoredChat | null;
  /** The users' memories (`ctx.memories`), contents per user id. */
  readonly memories: Record<string, string[]>;
  /** The `ctx.models.complete` calls made, with their options. */
  readonly modelCalls: TestModelCall[];
  /** The `ctx.tools.call` calls made, in order. */
  readonly toolCalls: Array<{ name: string; args: Record<string, unknown> }>;
  /** Runs any hook and returns its raw output (`chunks` for a pipe's iterable). */
  run(hook: HookName, payload: unknown, options?: TestCallOptions<Plugin> & { toolName?: string }): Promise<HookOutput>;
  /** Validates valve values as the server does before storing them. */
  validateValves(which: "valves" | "userValves", values: unknown): ValvesResult;
  /** Aborts `ctx.signal` of every call still running. */
  abort(reason?: string): void;
  /** Forgets recorded events, calls, logs and fetches. */
  clear(): void;
}

const DEFAULT_USER: InvokeUser = { id: "user-1", name: "Test User", email: "user@example.com", role: "user" };

let harnessCount = 0;

/**
 * Creates a {@link TestHarness} for a plugin: what a `define*` helper returned, a plugin class, or
 * a whole module (`import * as plugin from "./my-plugin.ts"`). Malformed plugins throw here, with
 * the message the server would give.
 *
 * @example
 * import { createTestHarness } from "@sluice/sdk/testing";
 * import weather from "./weather.ts";
 *
 * const harness = createTestHarness(weather, {
 *   valves: { apiKey: "k" },
 *   fetch: (request) => ({ body: { temperature: 21 } }),
 * });
 * expect(await harness.tool("weather", { city: "Oslo" })).toEqual({ temperature: 21 });
 */
export function createTestHarness<Plugin>(plugin: Plugin, options: TestHarnessOptions<Plugin> = {}): TestHarness<Plugin> {
  const normalized = findPlugin(toModuleExports(plugin));
  const descriptor = buildDescriptor(normalized);
  const record: TestRecord = { events: [], calls: [], logs: [], fetches: [] };
  const storage = createTestStorage();
  const chat = createTestChat(options.chat);
  const files = createTestFiles(options.storedFiles, { ...DEFAULT_USER, ...options.user }.id);
  const memories = createTestMemories(options.memories);
  const models = createTestModels(options.models);
  const tools = createTestTools(options.tools);
  // The user each call runs for, for ctx.storage.user.
  const usersOfCalls = new Map<string, string | null>();
  const host = createTestHost(record, {
    ...options,
    serve: (invocationId, request) => {
      if (request.method.startsWith("models.")) return models.serve(request);
      if (request.method.startsWith("tools.")) return tools.serve(request);
      if (request.method.startsWith("chat.")) return chat.serve(request);
      const space = request.method.startsWith("files.") ? files : request.method.startsWith("memories.") ? memories : storage;
      return space.serve(request, usersOfCalls.get(invocationId) ?? null);
    },
  });
  const pluginId = options.id ?? "test_plugin";
  const harnessId = `harness-${++harnessCount}`;
  const running = new Set<string>();
  let callCount = 0;

  const run = async (
    hook: HookName,
    payload: unknown,
    callOptions: TestCallOptions<Plugin> & { toolName?: string } = {},
  ): Promise<HookOutput> => {
    const merged = { ...options, ...callOptions };
    const user = merged.user === null ? null : { ...DEFAULT_USER, ...merged.user };
    const request: InvokeRequest = {
      invocationId: `${harnessId}-${++callCount}`,
      hook,
      ...(callOptions.toolName !== undefined && { toolName: callOptions.toolName }),
      payload,
      context: {
        id: merged.id ?? pluginId,
        user,
        valves: (merged.valves ?? {}) as Record<string, unknown>,
        userValves: (merged.userValves ?? {}) as Record<string, unknown>,
        metadata: { ...(user && { user_id: user.id }), ...(options.chat && { chat_id: options.chat.id }), ...merged.metadata },
        model: merged.model,
        messages: merged.messages,
        files: merged.files,
        canCall: options.answerCalls !== undefined,
        taskModel: options.models?.task ?? null,
      },
    };
    running.add(request.invocationId);
    usersOfCalls.set(request.invocationId, user?.id ?? null);
    try {
      return await runHook(normalized, request, host);
    } catch (error) {
      throw toSluiceError(error, pluginId, hook === "tool" ? `tool ${callOptions.toolName}` : hook);
    } finally {
      running.delete(request.invocationId);
      usersOfCalls.delete(request.invocationId);
    }
  };

  return {
    descriptor,
    get events() {
      return record.events;
    },
    get calls() {
      return record.calls;
    },
    get logs() {
      return record.logs;
    },
    get fetches() {
      return record.fetches;
    },
    get memories() {
      return memories.snapshot();
    },
    get modelCalls() {
      return models.calls;
    },
    get toolCalls() {
      return tools.calls;
    },
    get storage() {
      return storage.snapshot();
    },
    get storedFiles() {
      return files.list();
    },
    get chat() {
      return chat.snapshot();
    },
    eventsOfType: (type) => record.events.filter((event) => event.type === type) as never,
    inlet: async (body, callOptions) => (await run("inlet", body, callOptions)).value as ChatBody,
    request: async (body, callOptions) => (await run("request", body, callOptions)).value as ChatBody,
    stream: async (event, callOptions) => (await run("stream", event, callOptions)).value as StreamEvent | null,
    outlet: async (body, callOptions) => (await run("outlet", body, callOptions)).value as OutletBody,
    pipe: async (body, { subModel, ...callOptions } = {}) => {
      const withSubModel =
        subModel === undefined
          ? callOptions
          : { id: `${pluginId}.${subModel}`, ...callOptions, metadata: { ...options.metadata, ...callOptions.metadata, subModel } };
      return collectPipeText(await run("pipe", body, withSubModel));
    },
    pipes: async (callOptions) => (await run("pipes", null, callOptions)).value as PipeEntry[],
    action: async (body, { actionId, ...callOptions } = {}) => {
      const withId = actionId === undefined ? callOptions : { id: `${pluginId}.${actionId}`, ...callOptions };
      return (await run("action", body, withId)).value;
    },
    event: async (name, fields = {}, callOptions = {}) => {
      const event = {
        id: `event-${++callCount}`,
        ts: Date.now(),
        actor: null,
        data: {},
        ...fields,
        name,
        subject: fields.subject ?? { type: name.startsWith("auth.api_key.") ? "api_key" : name.split(".")[0], id: "subject-1" },
      };
      await run("event", event, { ...callOptions, user: null, metadata: { ...callOptions.metadata, event_name: name } });
    },
    tool: async (name, args, callOptions) => (await run("tool", args, { ...callOptions, toolName: name })).value,
    run,
    validateValves: (which, values) => checkValves(which === "valves" ? normalized.valves : normalized.userValves, values, which),
    abort(reason) {
      for (const invocationId of running) abortInvocation(invocationId, reason);
    },
    clear() {
      record.events.length = 0;
      record.calls.length = 0;
      record.logs.length = 0;
      record.fetches.length = 0;
    },
  };
}

function toModuleExports(plugin: unknown): unknown {
  const isDefinition = typeof plugin === "object" && plugin !== null && "kind" in plugin;
  return isDefinition || typeof plugin === "function" ? { default: plugin } : plugin;
}

// Reuses the runtime's error mapping, so tests see the code the server would report.
function toSluiceError(error: unknown, pluginId: string, hook: string): SluiceError {
  const { code, message, stack } = toInvokeError(error);
  const wrapped = new SluiceError(code, message, {
    cause: error,
    pluginId,
    hook,
    details: SluiceError.isInstance(error) ? error.details : undefined,
  });
  if (stack) wrapped.stack = stack;
  return wrapped;
}
