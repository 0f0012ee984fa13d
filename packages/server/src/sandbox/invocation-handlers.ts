import type { HostFetchRequest, HostFetchResponse, LogLevel } from "@sluice/sdk/runtime";

/**
 * A response as a host fetch handler answers it: its head, and its body as text, bytes, or chunks
 * the plugin pulls one by one as it reads (see `createHostFetch`).
 */
export interface HostFetchAnswer extends Omit<HostFetchResponse, "bodyId"> {
  body: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/** An event a plugin emits or calls with (`status`, `message`, `confirmation`, …). */
export interface PluginEventMessage {
  type: string;
  data: unknown;
}

/**
 * The host's service channel: runs one named method with the plugin's JSON arguments and resolves
 * with a JSON-serialisable answer (see `plugin-api/`). Throws a SluiceError (INVALID_INPUT for an
 * unknown method or bad arguments) that the plugin receives as is.
 */
export type ServeHandler = (method: string, args: unknown[], context?: ServeContext) => Promise<unknown>;

/** What the host knows of the hook call a service call belongs to. */
export interface ServeContext {
  /** Aborts when the hook call ends or is aborted: work the method started for it (a model call) stops then. */
  signal: AbortSignal;
}

/**
 * What the host does when a plugin uses `ctx.emit`, `ctx.call`, `ctx.fetch`, `ctx.log` or a
 * capability of the service channel (`ctx.storage`, …) during one hook call. Handlers may throw or reject: the sandbox turns that into an error inside the plugin
 * (a SluiceError keeps its code). Values crossing into the plugin must be JSON-serialisable.
 */
export interface InvocationHandlers {
  /** Deliver an event to the chat. Without a handler events are dropped (API callers). */
  emit?(event: PluginEventMessage): void | Promise<void>;
  /** Ask the browser and resolve with its answer. Without a handler `ctx.call` fails. */
  call?(event: PluginEventMessage): unknown;
  /**
   * Perform a permission-checked request; `signal` aborts when the hook call ends or its caller
   * goes away. A sandbox-wide `fetch` (the loader installs the permission-checked one, see
   * `createHostFetch`) takes precedence over a call's own. Without any, `ctx.fetch` is denied.
   */
  fetch?(request: HostFetchRequest, context: { signal: AbortSignal }): HostFetchAnswer | Promise<HostFetchAnswer>;
  /** Record a plugin log line. Without a handler it goes to the server log. */
  log?(level: LogLevel, message: string): void;
  /**
   * Serve a method of the service channel (`ctx.storage`, …) for this call: the request's plugin,
   * user and chat are known here. Without one the sandbox-wide `serve` answers (no user); without
   * that either, the plugin gets a clear error.
   */
  serve?: ServeHandler;
}

/**
 * A sandbox's defaults, used when an invocation brings no handler of its own; `log` also receives
 * what the plugin logs outside any hook call (while loading, from timers).
 */
export type HostHandlers = InvocationHandlers;
