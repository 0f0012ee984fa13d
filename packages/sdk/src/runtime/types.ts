import type { ErrorCode } from "../errors.ts";
import type { PluginKind } from "../plugin-kind.ts";
import type { RequestFacts } from "../plugin-storage.ts";

/**
 * What the runtime reports about the loaded plugin (plain JSON): its kind, valve schemas as JSON
 * Schema, secret fields, manifold entries, actions, tool specs and the hooks it has.
 *
 * @example
 * const descriptor: PluginDescriptor = registerPlugin(factory);
 * if (descriptor.kind === "filter" && descriptor.toggle) showToggle(descriptor.icon);
 */
export interface PluginDescriptor {
  kind: PluginKind;
  /** JSON Schema (`io: "input"`, zod `.meta()` kept) of the admin valves, or `null`. */
  valvesSchema: object | null;
  /** JSON Schema of the user valves, or `null`. */
  userValvesSchema: object | null;
  /** Admin valve names whose `input.type` is `password`. */
  secretFields: string[];
  /** User valve names whose `input.type` is `password`. */
  userSecretFields: string[];
  /** A manifold's static entries, `null` when dynamic or not a manifold. */
  pipes: Array<{ id: string; name: string }> | null;
  /** True when `pipes` is a function: call the `pipes` hook to list models. */
  hasDynamicPipes: boolean;
  actions: Array<{ id: string; name: string; icon_url?: string }> | null;
  toggle: boolean;
  icon: string | null;
  /** A filter that handles the request's attached files itself (`fileHandler: true`); absent means false. */
  fileHandler?: boolean;
  /** A filter whose `stream` hook reads and changes only each chunk's text (`streamTextOnly: true`); absent means false. */
  streamTextOnly?: boolean;
  /** OpenAI function specs of a tools plugin (empty for other kinds). */
  tools: ToolSpec[];
  /** The hooks `invokeHook` can run: some of inlet, request, stream, outlet, pipe, pipes, action, tool, event. */
  hooks: HookName[];
  /** The event names and patterns an event plugin listens to, in its order (empty for other kinds; absent from older runtimes). */
  events?: string[];
}

/**
 * An OpenAI function spec, derived from a tool's zod parameters.
 *
 * @example
 * const spec: ToolSpec = { name: "weather", description: "Weather", parameters: { type: "object", properties: {} } };
 */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/**
 * A hook `invokeHook` can run.
 *
 * @example
 * const hook: HookName = "inlet";
 */
export type HookName = "inlet" | "request" | "stream" | "outlet" | "pipe" | "pipes" | "action" | "tool" | "event";

/**
 * One invalid valve field; `path` is dotted (`""` for the whole object).
 *
 * @example
 * const issue: ValvesIssue = { path: "maxTurns", message: "Too small: expected number to be >=1" };
 */
export interface ValvesIssue {
  path: string;
  message: string;
}

/**
 * The result of `validateValves`: on success the values to store (only the keys provided) and the
 * effective values (defaults applied).
 *
 * @example
 * const result: ValvesResult = validateValves("valves", { maxTurns: 3, unknown: 1, other: null });
 * if (result.ok) save(result.stored); // { maxTurns: 3 }
 */
export type ValvesResult =
  { ok: true; stored: Record<string, unknown>; effective: Record<string, unknown> } | { ok: false; issues: ValvesIssue[] };

/**
 * The user a hook runs for (no valves: the runtime adds them).
 *
 * @example
 * const user: InvokeUser = { id: "u1", name: "Ada", email: "ada@example.com", role: "admin" };
 */
export interface InvokeUser {
  id: string;
  name: string;
  email: string;
  role: string;
}

/**
 * What the host sends to run one hook.
 *
 * @example
 * const request: InvokeRequest = {
 *   invocationId: "inv-1", hook: "inlet", payload: body,
 *   context: { id: "turn_limit", user, valves: {}, userValves: {}, metadata: { chat_id: "c1" }, canCall: true },
 * };
 */
export interface InvokeRequest {
  /** The host's handle for emit/call/fetch/log of this call. */
  invocationId: string;
  hook: HookName;
  /** The tool to run, for hook `tool`. */
  toolName?: string;
  /** Body, stream event, tool arguments (an object, or a JSON string) or server event; unused for `pipes`. */
  payload: unknown;
  context: {
    /** Plugin id, or `<id>.<sub>` for a manifold entry or an action entry. */
    id: string;
    /** Required for every hook but `pipes` and `event`. */
    user: InvokeUser | null;
    /** Stored admin valves (only set keys). */
    valves: Record<string, unknown>;
    /** Stored user valves (only set keys). */
    userValves: Record<string, unknown>;
    metadata: Record<string, unknown>;
    model?: unknown;
    messages?: unknown[];
    files?: unknown[];
    /** False for API callers without a socket session: `ctx.call` rejects. */
    canCall: boolean;
    /** Facts of the HTTP request that started the turn (`ctx.request`); absent when none did. */
    request?: RequestFacts | null;
    /** The server's task model (`TASK_MODEL`), for `ctx.models.task`; absent or null when none is set. */
    taskModel?: string | null;
  };
}

/**
 * The serialisable form of an error that crosses the isolate boundary.
 *
 * @example
 * const error: InvokeError = { code: "PLUGIN_ERROR", message: "Limit of 4 turns reached" };
 */
export interface InvokeError {
  code: ErrorCode;
  message: string;
  stack?: string;
}

/**
 * The outcome of `invokeHook`, which never rejects. `chunks` holds a pipe's iterable output,
 * collected.
 *
 * @example
 * const result: InvokeResult = await invokeHook(request);
 * if (!result.ok) throw new SluiceError(result.error.code, result.error.message);
 */
export type InvokeResult = { ok: true; value: unknown; chunks?: unknown[] } | { ok: false; error: InvokeError };

/**
 * What every host capability resolves to: host functions never throw or reject.
 *
 * @example
 * const result: HostResult<null> = { ok: false, error: { code: "PERMISSION_DENIED", message: "Host not allowed" } };
 */
export type HostResult<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

/**
 * A fetch request as the host receives it. The runtime has already turned `URLSearchParams` and
 * `FormData` bodies into bytes (and set their `content-type`); text stays text.
 *
 * @example
 * const request: HostFetchRequest = { url: "https://example.com", method: "GET", headers: {} };
 */
export interface HostFetchRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * A fetch response's head as the host returns it. The body stays with the host, which reads it
 * from the network only when the plugin asks for the next chunk (`SluiceHost.fetchRead` with
 * `bodyId`).
 *
 * @example
 * const response: HostFetchResponse = { status: 200, statusText: "OK", headers: {}, url: "https://example.com", bodyId: "b1" };
 */
export interface HostFetchResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  url: string;
  /** The handle of the body for `fetchRead` and `fetchClose`. */
  bodyId: string;
}

/**
 * A call of the host's service channel (`SluiceHost.serve`): one named method with JSON
 * arguments. Capabilities beyond emit, call, fetch and log (`ctx.storage`, and those to come) are
 * methods on this one channel, so every tier carries them without a change of its own.
 *
 * @example
 * const request: HostServeRequest = { method: "storage.set", args: ["greeting", "hello", { ttlSeconds: 60 }] };
 */
export interface HostServeRequest {
  method: string;
  args: unknown[];
}

/**
 * The capabilities the sandbox installs as `globalThis.__sluice_host` before evaluating the
 * runtime. Every function returns a result object and never throws or rejects.
 *
 * @example
 * const host: SluiceHost = {
 *   emit: async () => ({ ok: true, value: null }),
 *   call: async () => ({ ok: false, error: { code: "FORBIDDEN", message: "No browser session" } }),
 *   fetch: async () => ({ ok: false, error: { code: "PERMISSION_DENIED", message: "No network" } }),
 *   serve: async () => ({ ok: false, error: { code: "INVALID_INPUT", message: "Unknown host method" } }),
 *   fetchRead: async () => ({ ok: true, value: null }),
 *   fetchClose: () => {},
 *   log: () => {},
 *   sleep: async () => ({ ok: true, value: null }),
 *   randomBytes: (length) => Array.from({ length }, () => 4),
 *   parseUrl: () => ({ ok: false, error: { code: "INVALID_INPUT", message: "Invalid URL" } }),
 * };
 */
export interface SluiceHost {
  emit(invocationId: string, event: { type: string; data: unknown }): Promise<HostResult<null>>;
  call(invocationId: string, event: { type: string; data: unknown }): Promise<HostResult<unknown>>;
  /** Sends a request; resolves with the response's head once it has arrived. */
  fetch(invocationId: string, request: HostFetchRequest): Promise<HostResult<HostFetchResponse>>;
  /** The service channel: runs `request.method` on the host for this invocation (see {@link HostServeRequest}). */
  serve(invocationId: string, request: HostServeRequest): Promise<HostResult<unknown>>;
  /** The next chunk of a response body (a fresh `Uint8Array`), or `null` once it has ended. */
  fetchRead(invocationId: string, bodyId: string): Promise<HostResult<Uint8Array | null>>;
  /** The plugin stops reading a body before its end: the host closes the connection. */
  fetchClose(invocationId: string, bodyId: string): void;
  /** Synchronous. */
  log(invocationId: string | null, level: LogLevel, message: string): void;
  /** Resolves after `milliseconds`, for the timers shim. */
  sleep(milliseconds: number): Promise<HostResult<null>>;
  /** Synchronous, for `crypto.getRandomValues` and `crypto.randomUUID`. */
  randomBytes(length: number): number[];
  /** Synchronous: parses a URL with the host's WHATWG parser, for the isolate's `URL`. */
  parseUrl(input: string, base?: string): HostResult<HostUrlParts>;
}

/**
 * A parsed URL as `SluiceHost.parseUrl` returns it: the fields of a WHATWG `URL`.
 *
 * @example
 * const parts: HostUrlParts = {
 *   href: "https://example.com:8443/a?b=1#c", origin: "https://example.com:8443", protocol: "https:", username: "", password: "",
 *   host: "example.com:8443", hostname: "example.com", port: "8443", pathname: "/a", search: "?b=1", hash: "#c",
 * };
 */
export interface HostUrlParts {
  href: string;
  origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
}

/**
 * A log level of `SluiceHost.log`.
 *
 * @example
 * const level: LogLevel = "warn";
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
