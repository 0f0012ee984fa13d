import { SluiceError } from "@sluice/sdk";
import { runtimeError } from "./host/plugin-errors.ts";
import type { InvokeRequest, PluginDescriptor } from "@sluice/sdk/runtime";
import { InvocationClock } from "./invocation-clock.ts";
import type { InvocationHandlers } from "./invocation-handlers.ts";
import { parsePluginJson } from "./parse-plugin-json.ts";
import { awaitCall, PENDING, type Invocation, type RuntimeEntries, type SandboxCore } from "./sandbox-core.ts";

/** What a stream hook session needs: the context of the response, as for `invoke`. */
export interface StreamHookRequest {
  context: InvokeRequest["context"];
}

/**
 * What `transform` gives back: the chunk to send on (the hook's replacement, or the chunk as the
 * hook left it when it returned nothing), `null` when the hook dropped it, or a `SluiceError`
 * when the hook failed on it (a throw, a chunk timeout, a broken sandbox): log it and drop the chunk.
 */
export type StreamHookOutput = unknown;

/**
 * A filter's `stream` hook bound to one response (see `PluginSandbox.openStreamHook`). Chunks go
 * through one at a time, in order.
 */
export interface StreamHookSession {
  /**
   * Runs the hook on one chunk. Never throws or rejects. (The isolate tier always answers with a
   * promise: plugin code never runs on the server's main thread, where an out-of-memory error or a
   * built-in that cannot be stopped would suspend the whole server.)
   */
  transform(chunk: unknown): StreamHookOutput | Promise<StreamHookOutput>;
  /** Ends the session: the hook's `ctx.signal` aborts and the sandbox may be disposed. */
  close(): void;
}

const HOOK = "stream";
const PASS_THROUGH: StreamHookSession = { transform: (chunk) => chunk, close: () => {} };

/** `PluginSandbox.openStreamHook`: see there. */
export function openStreamHook(
  core: SandboxCore,
  descriptor: PluginDescriptor | undefined,
  request: StreamHookRequest,
  handlers: InvocationHandlers,
): StreamHookSession {
  // A filter without a stream hook passes chunks on unchanged: no crossing at all.
  if (descriptor?.kind === "filter" && !descriptor.hooks.includes("stream")) return PASS_THROUGH;
  let entries: RuntimeEntries;
  try {
    entries = core.entries(HOOK);
  } catch (error) {
    return failedSession(error as SluiceError);
  }
  return new StreamHookConnection(core, entries, request, handlers);
}

function failedSession(error: SluiceError): StreamHookSession {
  return { transform: () => error, close: () => {} };
}

class StreamHookConnection implements StreamHookSession {
  readonly #core: SandboxCore;
  readonly #entries: RuntimeEntries;
  readonly #invocation: Invocation;
  /** Settles when the session is open in the isolate; resolves to the error if it could not open. */
  #opening: Promise<SluiceError | undefined> | undefined;
  #openError: SluiceError | undefined;
  /** The transform in progress on the asynchronous path; the next chunk waits for it. */
  #busy: Promise<unknown> | undefined;
  #sequence = 0;
  #isClosed = false;

  constructor(core: SandboxCore, entries: RuntimeEntries, request: StreamHookRequest, handlers: InvocationHandlers) {
    this.#core = core;
    this.#entries = entries;
    this.#invocation = core.begin(handlers, HOOK, core.streamTimeoutMs);
    // Opened now, asynchronously: the first chunk usually comes later than this takes.
    this.#opening = this.#open(request).then((error) => {
      this.#openError = error;
      this.#opening = undefined;
      return error;
    });
  }

  async #open(request: StreamHookRequest): Promise<SluiceError | undefined> {
    const invocation = this.#invocation;
    invocation.clock = new InvocationClock(this.#core.timeoutMs);
    try {
      const opening = this.#entries.openStreamSession.apply(undefined, [{ invocationId: invocation.id, hook: HOOK, payload: null, context: request.context }], {
          arguments: { copy: true },
          result: { copy: true },
          timeout: this.#core.timeoutMs,
        });
      const opened = await awaitCall(this.#core, invocation, opening);
      const answer = opened as { ok?: unknown; error?: unknown } | null;
      if (answer?.ok === true) return undefined;
      return this.#runtimeError(answer?.error);
    } catch (error) {
      return this.#asError(error);
    } finally {
      invocation.clock?.stop();
      invocation.clock = undefined;
    }
  }

  transform(chunk: unknown): StreamHookOutput | Promise<StreamHookOutput> {
    if (this.#isClosed) return new SluiceError("PLUGIN_ERROR", `The stream session of plugin "${this.#core.pluginId}" is closed`, this.#details());
    if (this.#opening || this.#busy) {
      const previous = this.#opening ?? this.#busy;
      return previous!.then(() => this.transform(chunk));
    }
    if (this.#openError) return this.#openError;
    let json: string;
    try {
      json = JSON.stringify(chunk);
    } catch (error) {
      return new SluiceError("INVALID_INPUT", `A stream chunk is not JSON: ${(error as Error).message}`, this.#details());
    }
    const key = `${this.#invocation.id}:${++this.#sequence}`;
    return this.#track(this.#transformAsync(chunk, json, key));
  }

  #track(work: Promise<StreamHookOutput>): Promise<StreamHookOutput> {
    const busy = work.finally(() => {
      if (this.#busy === busy) this.#busy = undefined;
    });
    this.#busy = busy;
    return busy;
  }

  async #transformAsync(chunk: unknown, json: string, key: string): Promise<StreamHookOutput> {
    const invocation = this.#invocation;
    invocation.clock = new InvocationClock(this.#core.streamTimeoutMs);
    try {
      const work = this.#entries.streamChunk.apply(undefined, [invocation.id, json, key], {
          arguments: { copy: true },
          result: { copy: true },
          timeout: this.#core.streamTimeoutMs,
        });
      const answer = await awaitCall(this.#core, invocation, work);
      if (answer !== PENDING) return this.#decode(answer, chunk, json);
    } catch (error) {
      return this.#asError(error);
    } finally {
      invocation.clock?.stop();
      invocation.clock = undefined;
    }
    return this.#awaitHeld(key, chunk, json);
  }

  /** The hook returned a promise: wait for it, within the chunk's time limit. */
  async #awaitHeld(key: string, chunk: unknown, json: string): Promise<StreamHookOutput> {
    const invocation = this.#invocation;
    invocation.clock = new InvocationClock(this.#core.streamTimeoutMs);
    try {
      const work = this.#entries.awaitResult.apply(undefined, [key], { arguments: { copy: true }, result: { promise: true, copy: true } });
      return this.#decode(await awaitCall(this.#core, invocation, work), chunk, json);
    } catch (error) {
      this.#forget(key);
      return this.#asError(error);
    } finally {
      invocation.clock?.stop();
      invocation.clock = undefined;
    }
  }

  #decode(answer: unknown, chunk: unknown, json: string): StreamHookOutput {
    if (answer === null) return null;
    if (typeof answer === "string") {
      if (answer === json) return chunk; // unchanged: no need to parse it again
      try {
        return parsePluginJson(answer);
      } catch {
        // Reported below.
      }
    } else if (typeof answer === "object" && (answer as { ok?: unknown }).ok === false) {
      return this.#runtimeError((answer as { error?: unknown }).error);
    }
    return new SluiceError("PLUGIN_ERROR", `Plugin "${this.#core.pluginId}" returned a malformed result from ${HOOK}`, this.#details());
  }

  #runtimeError(raw: unknown): SluiceError {
    return runtimeError(raw, this.#details());
  }

  #asError(error: unknown): SluiceError {
    return SluiceError.isInstance(error) ? error : this.#core.callError(error, HOOK, this.#core.streamTimeoutMs);
  }

  #forget(key: string): void {
    try {
      this.#core.entries(HOOK);
      this.#entries.forgetResult.applyIgnored(undefined, [key], { arguments: { copy: true } });
    } catch {
      // The isolate is gone.
    }
  }

  #details(): { pluginId: string; hook: string } {
    return { pluginId: this.#core.pluginId, hook: HOOK };
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    try {
      this.#core.entries(HOOK);
      this.#entries.closeStreamSession.applyIgnored(undefined, [this.#invocation.id], { arguments: { copy: true } });
    } catch {
      // The isolate is gone; so is the session.
    }
    this.#core.end(this.#invocation);
  }
}
