import { SluiceError } from "../errors.ts";
import type {
  EventCall,
  ModelInfo,
  PluginAbortSignal,
  PluginContext,
  PluginLogger,
  PluginMetadata,
  PluginUser,
  PipesContext,
} from "../plugin-context.ts";
import type { PluginFetch } from "../plugin-fetch.ts";
import type { PluginStorageSpaces, RequestFacts } from "../plugin-storage.ts";
import type { PluginMemories } from "../plugin-memories.ts";
import type { ChatMessage, FileReference } from "../chat-body.ts";
import { assertJsonValue } from "./assert-json-value.ts";
import { createFetch } from "./create-fetch.ts";
import { createLogger } from "./create-logger.ts";
import { createServe, type HostServe } from "./create-serve.ts";
import { createStorage } from "./create-storage.ts";
import { createFiles } from "./create-files.ts";
import { createChat } from "./create-chat.ts";
import type { PluginChat } from "../plugin-chat.ts";
import type { RequestFiles } from "../plugin-files.ts";
import { createMemories } from "./create-memories.ts";
import { createModels } from "./create-models.ts";
import type { PluginModels } from "../plugin-models.ts";
import { createTools } from "./create-tools.ts";
import { isInvocationRunning } from "./abort-invocation.ts";
import { addBackgroundWork } from "./background-work.ts";
import type { PluginTools } from "../plugin-tools.ts";
import { describeValue } from "./describe-value.ts";
import type { NormalizedPlugin } from "./normalize-plugin.ts";
import { resolveValves } from "./resolve-valves.ts";
import type { InvokeRequest, SluiceHost } from "./types.ts";
import { unwrapHostResult } from "./unwrap-host-result.ts";

const NO_SESSION_MESSAGE =
  "ctx.call needs the browser tab the request came from, and this request has none (an API call or a background task); " +
  "check ctx.metadata.session_id before asking the user";

type AnyEvent = { type: string; data?: unknown };

/**
 * Builds the `ctx` a hook receives: valves validated (defaults applied) and frozen, the user with
 * their user valves, and `emit`, `call`, `fetch`, `log`, `signal`, `storage` bound to this invocation.
 * A missing user is allowed only for the `pipes` and `event` hooks (an event has no requesting user).
 *
 * @example
 * const ctx = createContext(plugin, request, host, handle.signal);
 */
export function createContext(
  plugin: NormalizedPlugin,
  request: InvokeRequest,
  host: SluiceHost,
  signal: PluginAbortSignal,
): PluginContext | PipesContext {
  const valves = resolveValves(plugin.valves, request.context.valves, "valves");
  const invokeUser = request.context.user;
  if (!invokeUser && request.hook !== "pipes" && request.hook !== "event") {
    throw new SluiceError(
      "INVALID_INPUT",
      `The host sent no user for the "${request.hook}" hook (only "pipes" and "event" may run without one)`,
    );
  }
  const user = invokeUser
    ? Object.freeze({ ...invokeUser, valves: resolveValves(plugin.userValves, request.context.userValves, "userValves") })
    : null;
  return Object.freeze(new InvocationContext(request, host, signal, valves, user));
}

// A class with lazily bound capabilities: stream hooks run per chunk and most never touch
// fetch, log or call, so those closures are made only when read (destructuring still works).
class InvocationContext {
  readonly id: string;
  readonly user: PluginUser | null;
  readonly valves: Readonly<Record<string, unknown>>;
  readonly metadata: PluginMetadata;
  readonly model: ModelInfo | undefined;
  readonly messages: ChatMessage[];
  readonly signal: PluginAbortSignal;
  readonly request: RequestFacts | null;
  #request: InvokeRequest;
  #host: SluiceHost;
  #emit: PluginContext["emit"] | undefined;
  #call: EventCall | undefined;
  #fetch: PluginFetch | undefined;
  #log: PluginLogger | undefined;
  #serve: HostServe | undefined;
  #storage: PluginStorageSpaces | undefined;
  #files: RequestFiles | undefined;
  #chat: PluginChat | undefined;
  #memories: PluginMemories | undefined;
  #models: PluginModels | undefined;
  #tools: PluginTools | undefined;

  constructor(
    request: InvokeRequest,
    host: SluiceHost,
    signal: PluginAbortSignal,
    valves: Readonly<Record<string, unknown>>,
    user: PluginUser | null,
  ) {
    const { context } = request;
    this.id = context.id;
    this.user = user;
    this.valves = valves;
    this.metadata = context.metadata as PluginMetadata;
    this.model = context.model as ModelInfo | undefined;
    this.messages = (context.messages ?? []) as ChatMessage[];
    this.signal = signal;
    this.request = context.request ? Object.freeze({ ...context.request, headers: Object.freeze({ ...context.request.headers }) }) : null;
    this.#request = request;
    this.#host = host;
  }

  get emit(): PluginContext["emit"] {
    return (this.#emit ??= (async (event: AnyEvent) => {
      checkEvent(event, "ctx.emit");
      unwrapHostResult(await this.#host.emit(this.#request.invocationId, { type: event.type, data: event.data ?? null }), "emit");
    }) as PluginContext["emit"]);
  }

  get call(): EventCall {
    return (this.#call ??= (async (event: AnyEvent) => {
      checkEvent(event, "ctx.call");
      if (!this.#request.context.canCall) {
        const task = (this.#request.context.metadata as { task?: unknown } | undefined)?.task;
        // Nobody is there to answer during a background task (naming a chat, say).
        if (typeof task === "string" && task !== "")
          throw new SluiceError("FORBIDDEN", `ctx.call cannot ask the user anything during a background task (${task})`);
        throw new SluiceError("FORBIDDEN", NO_SESSION_MESSAGE);
      }
      const answer = unwrapHostResult(
        await this.#host.call(this.#request.invocationId, { type: event.type, data: event.data ?? null }),
        "call",
      );
      if (event.type === "confirmation") return answer === true;
      if (event.type === "input")
        return typeof answer === "string" ? answer : answer === null || answer === undefined || answer === false ? "" : String(answer);
      return answer;
    }) as EventCall);
  }

  get fetch(): PluginFetch {
    return (this.#fetch ??= createFetch(this.#host, this.#request.invocationId, this.signal));
  }

  get log(): PluginLogger {
    return (this.#log ??= createLogger(this.#host, this.#request.invocationId));
  }

  get storage(): PluginStorageSpaces {
    return (this.#storage ??= createStorage(this.#hostServe()));
  }

  get files(): RequestFiles {
    return (this.#files ??= createFiles(this.#hostServe(), (this.#request.context.files ?? []) as FileReference[]));
  }

  get chat(): PluginChat {
    return (this.#chat ??= createChat(this.#hostServe()));
  }

  get memories(): PluginMemories {
    return (this.#memories ??= createMemories(this.#hostServe()));
  }

  get models(): PluginModels {
    return (this.#models ??= createModels(this.#hostServe(), this.#request.context.taskModel ?? null));
  }

  get waitUntil(): (work: Promise<unknown>) => void {
    const invocationId = this.#request.invocationId;
    const host = this.#host;
    return (work) => {
      if (!isInvocationRunning(invocationId)) {
        throw new SluiceError(
          "INVALID_INPUT",
          "ctx.waitUntil was called after its hook call ended; call it while the hook (or work it keeps going) runs",
        );
      }
      addBackgroundWork(host, invocationId, work);
    };
  }

  get tools(): PluginTools {
    return (this.#tools ??= createTools(this.#hostServe()));
  }

  /** The host's service channel for this invocation, shared by the capabilities built on it. */
  #hostServe(): HostServe {
    return (this.#serve ??= createServe(this.#host, this.#request.invocationId));
  }
}

function checkEvent(event: { type?: unknown; data?: unknown } | null | undefined, label: string): void {
  if (typeof event !== "object" || event === null || typeof event.type !== "string" || event.type === "") {
    throw new SluiceError("INVALID_INPUT", `${label} expects { type: string, data }, got ${describeValue(event)}`);
  }
  assertJsonValue(event.data, `${label}: the "${event.type}" event`, "data");
}
