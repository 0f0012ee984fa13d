import { randomBytes } from "node:crypto";
import { isBuiltin } from "node:module";
import vm from "node:vm";
import { SluiceError } from "@sluice/sdk";
import {
  abortInvocation,
  awaitBackground,
  awaitHook,
  awaitResult,
  closeStreamSession,
  forgetResult,
  openStreamSession,
  pullPipe,
  registerPlugin,
  startPipe,
  stopPipe,
  streamChunk,
  validateValves,
  type HostResult,
  type InvokeRequest,
  type LogLevel,
  type PluginFactory,
  type SluiceHost,
} from "@sluice/sdk/runtime";
import { FetchBodies } from "../host/fetch-bodies.ts";
import { childFetch } from "./child-fetch.ts";
import { refuseBuiltins } from "./refuse-builtins.ts";
import { refuseUnixSockets } from "./refuse-unix-sockets.ts";
import type {
  ChildFetchSettings,
  ChildMethod,
  ChildSignal,
  ChildToHost,
  ChunkAnswer,
  HostCapability,
  HostToChild,
} from "./node-tier-protocol.ts";

// The entry of a trusted-tier child process (bundled with the runtime by child-script.ts). It
// loads one plugin with full Node APIs, under the permission flags the server started it with,
// and serves the runtime's entry points over the IPC channel. Node's own globals stay as they
// are: the runtime's shims (timers over the host, console to the host) are for isolates.

const MAX_LOG_LENGTH = 16_384;
// As in the isolate (install-host.ts): a value is refused before it is copied to the host.
const MAX_HOST_ARGUMENT_LENGTH = 16 * 1024 * 1024;
let fetchSettings: ChildFetchSettings = { timeoutMs: 30_000, maxBytes: 10 * 1024 * 1024, idleTimeoutMs: 60_000 };
let lastHostCallId = 0;
const hostCalls = new Map<number, (result: HostResult<unknown>) => void>();
/** Fetches in flight or with a body not read to its end, per invocation; aborted when the host stops or gives up the call. */
const fetches = new Map<string, Set<AbortController>>();
const bodies = new FetchBodies();

function send(message: ChildToHost): void {
  if (process.connected) process.send!(message);
}

function asHostFailure(error: unknown): HostResult<never> {
  const code = SluiceError.isInstance(error) ? error.code : "PLUGIN_ERROR";
  return { ok: false, error: { code, message: error instanceof Error ? error.message : String(error) } };
}

function askHost(capability: HostCapability, invocationId: string, value: unknown): Promise<HostResult<unknown>> {
  let json: string;
  try {
    json = JSON.stringify(value) ?? "null";
  } catch (error) {
    return Promise.resolve(asHostFailure(error));
  }
  if (json.length > MAX_HOST_ARGUMENT_LENGTH) {
    return Promise.resolve(
      asHostFailure(
        new Error(`The value passed to the host is ${json.length} characters of JSON; the limit is ${MAX_HOST_ARGUMENT_LENGTH}`),
      ),
    );
  }
  const id = ++lastHostCallId;
  return new Promise((resolve) => {
    hostCalls.set(id, resolve);
    send({ t: "host", id, capability, invocationId, json });
  });
}

/** Runs `work` with the call's clock stopped (`wait` messages to the host). */
async function waitingFor<T>(invocationId: string, work: Promise<T>): Promise<T> {
  send({ t: "wait", invocationId, isWaiting: true });
  try {
    return await work;
  } finally {
    send({ t: "wait", invocationId, isWaiting: false });
  }
}

function abortFetches(invocationId: string): void {
  for (const controller of fetches.get(invocationId) ?? []) controller.abort();
  fetches.delete(invocationId);
}

const host: SluiceHost = {
  emit: (invocationId, event) => askHost("emit", invocationId, event) as Promise<HostResult<null>>,
  call: (invocationId, event) => askHost("call", invocationId, event),
  serve: (invocationId, request) => askHost("serve", invocationId, request),
  fetch: async (invocationId, request) => {
    const controller = new AbortController();
    const running = fetches.get(invocationId) ?? new Set();
    fetches.set(invocationId, running.add(controller));
    const forget = () => {
      running.delete(controller);
      if (running.size === 0 && fetches.get(invocationId) === running) fetches.delete(invocationId);
    };
    // The call's time limit stops while it waits for the network, as in the sandbox.
    const result = await waitingFor(invocationId, childFetch(request, fetchSettings, controller.signal, forget));
    if (!result.ok) {
      forget();
      return result;
    }
    const { body, ...head } = result.value;
    try {
      return { ok: true, value: { ...head, bodyId: bodies.open(invocationId, body, controller.signal) } };
    } catch (error) {
      return asHostFailure(error);
    }
  },
  fetchRead: async (invocationId, bodyId) => {
    try {
      return { ok: true, value: await waitingFor(invocationId, bodies.read(invocationId, bodyId)) };
    } catch (error) {
      return asHostFailure(error);
    }
  },
  fetchClose: (invocationId, bodyId) => bodies.close(invocationId, bodyId),
  log: (invocationId, level, message) => {
    send({ t: "log", invocationId, level, message: String(message).slice(0, MAX_LOG_LENGTH) });
  },
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(() => resolve({ ok: true, value: null }), milliseconds)),
  randomBytes: (length) => Array.from(randomBytes(Math.min(Math.max(Math.trunc(length) || 0, 0), 65_536))),
  parseUrl: (input, base) => {
    try {
      const url = new URL(input, base);
      const { href, origin, protocol, username, password, host: urlHost, hostname, port, pathname, search, hash } = url;
      return { ok: true, value: { href, origin, protocol, username, password, host: urlHost, hostname, port, pathname, search, hash } };
    } catch {
      return { ok: false, error: { code: "INVALID_INPUT", message: "Invalid URL" } };
    }
  },
};
// The runtime reads the host at call time; installed after the runtime loaded, so it did not
// replace Node's console and timers with its isolate shims.
Object.defineProperty(globalThis, "__sluice_host", { value: host, enumerable: false, writable: false, configurable: false });

// What Node's permission model lets through (see refused-builtins.ts), closed before any plugin
// code runs. Where the server runs as root the process also runs as another OS user.
refuseBuiltins();
refuseUnixSockets();

function isRuntimeModule(name: string): boolean {
  return name === "@sluice/sdk" || name.startsWith("@sluice/sdk/") || name === "zod" || name.startsWith("zod/");
}

/** Loads the compiled plugin; its `require` gives Node built-ins, the SDK and zod (its npm requirements are bundled in). */
function load(pluginId: string, code: string): string {
  const factory = vm.runInThisContext(`(function (module, exports, require) {\n${code}\n})`, {
    filename: `plugin:${pluginId}`,
  }) as PluginFactory;
  const descriptor = registerPlugin((module, exports, runtimeRequire) =>
    factory(module, exports, (name) => {
      if (isBuiltin(name)) return process.getBuiltinModule(name);
      if (isRuntimeModule(name)) return runtimeRequire(name);
      throw new Error(`Cannot require "${name}": list npm packages under "requirements" in the frontmatter so they are bundled`);
    }),
  );
  return JSON.stringify(descriptor);
}

async function call(method: ChildMethod, args: unknown[]): Promise<string> {
  switch (method) {
    case "validateValves":
      return JSON.stringify(validateValves(args[0] as "valves" | "userValves", args[1]));
    case "awaitHook": {
      // JSON text of the result (or PENDING once the host gave the call up).
      const result = await awaitHook(args[0] as string);
      return typeof result === "string" ? result : JSON.stringify(result);
    }
    case "awaitBackground":
      return awaitBackground(args[0] as string);
    case "startPipe":
      return startPipe(args[0] as InvokeRequest);
    case "pullPipe":
      return pullPipe(args[0] as string);
    case "openStreamSession":
      return JSON.stringify(openStreamSession(args[0] as InvokeRequest));
    case "ping":
      return "null";
    case "valvesSpec":
      // A TypeScript plugin's valve options are in its schema already: the descriptor's stands.
      return "null";
  }
}

function signal(method: ChildSignal, args: unknown[]): void {
  const [id, reason] = args as [string, string | undefined];
  if (method === "forgetResult") return forgetResult(id);
  abortFetches(id);
  if (method === "abortInvocation") abortInvocation(id, reason);
  else if (method === "stopPipe") stopPipe(id, reason);
  else closeStreamSession(id);
}

// Stream hook chunks: each session's chunks run in order; a chunk whose hook returned a promise
// holds back the later chunks of that session only. Answers leave in batches, one message per turn.
const sessionTails = new Map<string, Promise<void>>();
let outbox: Array<[string, number, ChunkAnswer]> = [];

function post(sessionId: string, sequence: number, answer: ChunkAnswer): void {
  if (outbox.length === 0) {
    process.nextTick(() => {
      const items = outbox;
      outbox = [];
      send({ t: "chunked", items });
    });
  }
  outbox.push([sessionId, sequence, answer]);
}

function runChunk(sessionId: string, sequence: number, json: string): void | Promise<void> {
  const key = `${sessionId}:${sequence}`;
  const answer = streamChunk(sessionId, json, key);
  if (answer !== 0) return post(sessionId, sequence, answer);
  return awaitResult(key).then((held) => post(sessionId, sequence, held as ChunkAnswer));
}

function queueChunk(sessionId: string, sequence: number, json: string): void {
  const tail = sessionTails.get(sessionId);
  const running = tail ? tail.then(() => runChunk(sessionId, sequence, json)) : runChunk(sessionId, sequence, json);
  if (!running) return;
  sessionTails.set(sessionId, running);
  void running.then(() => {
    if (sessionTails.get(sessionId) === running) sessionTails.delete(sessionId);
  });
}

function reply(id: number, work: () => string | Promise<string>): void {
  Promise.resolve()
    .then(work)
    .then(
      (json) => send({ t: "reply", id, json }),
      (error: unknown) => send({ t: "reply", id, error: error instanceof Error ? error.message : String(error) }),
    );
}

process.on("message", (message: HostToChild) => {
  switch (message?.t) {
    case "load":
      fetchSettings = message.fetch;
      return reply(message.id, () => load(message.pluginId, message.code));
    case "call":
      return reply(message.id, () => call(message.method, message.args));
    case "signal":
      return signal(message.method, message.args);
    case "chunks":
      for (const [sessionId, sequence, json] of message.items) queueChunk(sessionId, sequence, json);
      return;
    case "host-reply": {
      const resolve = hostCalls.get(message.id);
      hostCalls.delete(message.id);
      resolve?.(JSON.parse(message.json) as HostResult<unknown>);
      return;
    }
  }
});

// The server is gone (or closed the channel): so is the reason to run.
process.on("disconnect", () => process.exit(0));

// A plugin's own background work failing is logged, as in the sandbox; the process goes on.
const logUncaught = (level: LogLevel, what: string) => (error: unknown) =>
  host.log(null, level, `${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
process.on("uncaughtException", logUncaught("error", "Uncaught exception"));
process.on("unhandledRejection", logUncaught("error", "Unhandled rejection"));

send({ t: "ready" });
