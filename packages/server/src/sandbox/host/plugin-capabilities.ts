import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type {
  HostFetchRequest,
  HostFetchResponse,
  HostResult,
  HostServeRequest,
  LogLevel,
  WAIT_UNTIL_METHOD as RUNTIME_WAIT_UNTIL_METHOD,
} from "@sluice/sdk/runtime";
import type { HostHandlers, InvocationHandlers, PluginEventMessage } from "../invocation-handlers.ts";
import type { InvocationClock } from "./invocation-clock.ts";
import { parsePluginJson } from "./parse-plugin-json.ts";
import { FetchBodies } from "./fetch-bodies.ts";
import { settleHostCall } from "./settle-host-call.ts";

/**
 * What a plugin may ask of the host while a call runs (docs/internals/plugin-runtime.md §4), keyed by the call's
 * invocation id. Values arrive as the JSON text the plugin's side made. None of these throw or
 * reject: a failure is a `{ ok: false }` HostResult the runtime throws inside the plugin.
 */
export interface PluginCapabilities {
  emit(invocationId: string, eventJson: string): Promise<HostResult<null>>;
  call(invocationId: string, eventJson: string): Promise<HostResult<unknown>>;
  /** The service channel: `requestJson` is a {@link HostServeRequest}, `{ method, args }`. */
  serve(invocationId: string, requestJson: string): Promise<HostResult<unknown>>;
  /** Sends a request (a binary body comes apart from the JSON, as bytes); resolves with the head and a body id. */
  fetch(invocationId: string, requestJson: string, body?: Uint8Array): Promise<HostResult<HostFetchResponse>>;
  /** The next chunk of a response body (read from the network only now), or null at its end. */
  fetchRead(invocationId: string, bodyId: string): Promise<HostResult<Uint8Array | null>>;
  /** The plugin stops reading a body: its connection is closed. */
  fetchClose(invocationId: string, bodyId: string): void;
  /** A log line; `invocationId` null (or a finished call's) for what a plugin logs outside calls. */
  log(invocationId: string | null, level: LogLevel, message: string): void;
  /** The call waits for something outside the host (the network): its clock stops meanwhile. */
  wait(invocationId: string, isWaiting: boolean): void;
}

/** The part of a running call the capabilities use. */
export interface CapabilityCall {
  handlers: InvocationHandlers;
  hook: string;
  clock?: InvocationClock;
  controller?: AbortController;
  hasBackground?: boolean;
}

export interface PluginCapabilitiesOptions {
  pluginId: string;
  /** The call with this id while it runs; undefined once it has finished. */
  invocation(invocationId: string): CapabilityCall | undefined;
  /** The sandbox's defaults, for calls without a handler of their own and for logs outside calls. */
  host: HostHandlers;
  logger: Logger;
}

/** The runtime's announcement of background work (`ctx.waitUntil`); typed as the runtime's constant, so the two cannot differ. */
const WAIT_UNTIL_METHOD: typeof RUNTIME_WAIT_UNTIL_METHOD = "host.waitUntil";

/** The longest JSON text a plugin may hand a host capability (an event, a fetch request, a service call). */
export const MAX_HOST_ARGUMENT_LENGTH = 16 * 1024 * 1024;
const MAX_LOG_MESSAGE_LENGTH = 16_384;
const LOG_LEVELS = new Set<LogLevel>(["debug", "info", "warn", "error"]);

/**
 * The host side of a plugin's `ctx.emit`, `ctx.call`, `ctx.fetch` (and reading its bodies),
 * `ctx.log` and the service channel (`serve`: `ctx.storage` and what comes after it), for every
 * transport: each capability finds the handlers of the call it belongs to by invocation id, and
 * the call's time limit does not run while it waits for the host.
 */
export function createPluginCapabilities(options: PluginCapabilitiesOptions): PluginCapabilities {
  const { pluginId, host, logger } = options;
  const bodies = new FetchBodies();
  const runningCall = (invocationId: string): CapabilityCall => {
    const call = options.invocation(String(invocationId));
    if (!call) throw new SluiceError("PLUGIN_ERROR", "This hook call has finished; emit, call, fetch and storage work only while it runs");
    return call;
  };
  const settle = <T>(invocationId: string, json: string, work: (call: CapabilityCall, value: unknown) => T | Promise<T>) =>
    settleHostCall(async () => {
      const call = runningCall(invocationId);
      const value = readJson(json);
      return call.clock ? await call.clock.waitFor(work(call, value)) : await work(call, value);
    });
  return {
    emit: (invocationId, eventJson) =>
      settle(invocationId, eventJson, async (call, event) => {
        const emit = call.handlers.emit ?? host.emit;
        await emit?.(asEvent(event));
        return null;
      }),
    call: (invocationId, eventJson) =>
      settle(invocationId, eventJson, (call, event) => {
        const ask = call.handlers.call ?? host.call;
        if (!ask) throw new SluiceError("PLUGIN_ERROR", "ctx.call needs a browser session, and this request has none");
        return ask(asEvent(event));
      }),
    fetch: (invocationId, requestJson, body) =>
      settle(invocationId, requestJson, async (call, request) => {
        // The sandbox-wide fetch is the permission-checked one: a call cannot widen it.
        const fetch = host.fetch ?? call.handlers.fetch;
        if (!fetch) throw new SluiceError("PERMISSION_DENIED", `Plugin "${pluginId}" has no network permission`);
        call.controller ??= new AbortController();
        const { signal } = call.controller;
        const fetchRequest = request as HostFetchRequest;
        if (body !== undefined) {
          if (!(body instanceof Uint8Array)) throw new SluiceError("PLUGIN_ERROR", "The fetch body passed to the host is not bytes");
          fetchRequest.body = body;
        }
        const { body: responseBody, ...head } = await fetch(fetchRequest, { signal });
        return { ...head, bodyId: bodies.open(String(invocationId), responseBody, signal) };
      }),
    serve: (invocationId, requestJson) =>
      settle(invocationId, requestJson, (call, request) => {
        const { method, args } = asServeRequest(request);
        if (method === WAIT_UNTIL_METHOD) {
          // The host core's own method: the call is kept once its hook returns (await-background-work.ts).
          call.hasBackground = true;
          return null;
        }
        const serve = call.handlers.serve ?? host.serve;
        if (!serve) throw new SluiceError("PLUGIN_ERROR", `The host offers no "${method}" to plugins here (no service channel)`);
        call.controller ??= new AbortController();
        return serve(method, args, { signal: call.controller.signal });
      }),
    // Not settleHostCall: the chunk stays bytes (it copies into the isolate as a Uint8Array).
    fetchRead: async (invocationId, bodyId) => {
      try {
        const call = runningCall(invocationId);
        const read = bodies.read(String(invocationId), String(bodyId));
        return { ok: true, value: call.clock ? await call.clock.waitFor(read) : await read };
      } catch (error) {
        return (await settleHostCall(() => Promise.reject(error))) as HostResult<never>;
      }
    },
    fetchClose: (invocationId, bodyId) => bodies.close(String(invocationId), String(bodyId)),
    log: (invocationId, level, message) => {
      try {
        // Lines logged after their call finished (from a timer) still reach the server log.
        const call = invocationId === null ? undefined : options.invocation(String(invocationId));
        const safeLevel = LOG_LEVELS.has(level) ? level : "info";
        const text = String(message).slice(0, MAX_LOG_MESSAGE_LENGTH);
        const log = call?.handlers.log ?? host.log;
        if (log) log(safeLevel, text);
        else logger[safeLevel]({ pluginId, hook: call?.hook }, text);
      } catch (error) {
        logger.warn({ pluginId, error: error instanceof Error ? error.message : String(error) }, "a plugin log line was lost");
      }
    },
    wait: (invocationId, isWaiting) => {
      const clock = options.invocation(String(invocationId))?.clock;
      if (isWaiting) clock?.pause();
      else clock?.resume();
    },
  };
}

function readJson(json: string): unknown {
  // The isolate checks this before its value is copied out; a child process's message is checked here.
  if (typeof json !== "string" || json.length > MAX_HOST_ARGUMENT_LENGTH) {
    const length = typeof json === "string" ? json.length : 0;
    throw new SluiceError(
      "PLUGIN_ERROR",
      `The value passed to the host is ${length} characters of JSON; the limit is ${MAX_HOST_ARGUMENT_LENGTH}`,
    );
  }
  try {
    return parsePluginJson(json);
  } catch {
    throw new SluiceError("PLUGIN_ERROR", "The host could not read the value passed to it");
  }
}

function asEvent(value: unknown): PluginEventMessage {
  if (typeof value !== "object" || value === null || typeof (value as { type?: unknown }).type !== "string") {
    throw new SluiceError("INVALID_INPUT", "An event needs a type");
  }
  return value as PluginEventMessage;
}

function asServeRequest(value: unknown): HostServeRequest {
  const request = value as Partial<HostServeRequest> | null;
  if (typeof request !== "object" || request === null || typeof request.method !== "string" || !Array.isArray(request.args)) {
    throw new SluiceError("INVALID_INPUT", "A host service call needs { method: string, args: array }");
  }
  return { method: request.method, args: request.args };
}
