import type { LogLevel } from "@sluice/sdk/runtime";
import type { ChunkAnswer, RuntimeCall, RuntimeNotice } from "../host/plugin-transport.ts";

export type { ChunkAnswer } from "../host/plugin-transport.ts";

// The messages the server and a trusted-tier child process exchange over Node's IPC channel
// (JSON serialisation). Values that come from plugin code cross as JSON text, which the host
// parses itself (see parsePluginJson), so it decides how `__proto__` keys are read.

/** The runtime entry points the host calls and waits for (each answers JSON text). */
export type ChildMethod = RuntimeCall | "ping" | "valvesSpec";

/** The runtime entry points the host calls without waiting. */
export type ChildSignal = RuntimeNotice;

/** How the child's `ctx.fetch` behaves (it is Node's own fetch, with these limits). */
export interface ChildFetchSettings {
  /** Until the response's head has arrived. */
  timeoutMs: number;
  /** Of one response body. */
  maxBytes: number;
  /** Longest wait for the next body chunk. */
  idleTimeoutMs: number;
}

/** What a child asks of the host in a `host` message, answered by `host-reply`. */
export type HostCapability = "emit" | "call" | "serve";

/** Server → child. */
export type HostToChild =
  | { t: "load"; id: number; pluginId: string; code: string; fetch: ChildFetchSettings }
  | { t: "call"; id: number; method: ChildMethod; args: unknown[] }
  | { t: "signal"; method: ChildSignal; args: unknown[] }
  /** Stream hook chunks, in order: [session invocation id, sequence number, chunk JSON]. */
  | { t: "chunks"; items: Array<[string, number, string]> }
  /** The answer to a child's `host` request: a HostResult as JSON text. */
  | { t: "host-reply"; id: number; json: string };

/** Child → server. */
export type ChildToHost =
  | { t: "ready" }
  /** The answer to a `load` or `call`: JSON text, or the message of a failure of the child itself. */
  | { t: "reply"; id: number; json?: string; error?: string }
  /** `ctx.emit` / `ctx.call` / the service channel of a running invocation; the event or `{ method, args }` as JSON text. */
  | { t: "host"; id: number; capability: HostCapability; invocationId: string; json: string }
  | { t: "log"; invocationId: string | null; level: LogLevel; message: string }
  /** The invocation waits for the network (`ctx.fetch`): its time limit stops meanwhile. */
  | { t: "wait"; invocationId: string; isWaiting: boolean }
  /** Stream hook answers, in the order of their chunks: [session invocation id, sequence number, answer]. */
  | { t: "chunked"; items: Array<[string, number, ChunkAnswer]> };
