import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import type { LogLevel, SluiceHost } from "@sluice/sdk/runtime";
import type { HostTimers } from "./host-timers.ts";
import type { InvocationClock } from "./invocation-clock.ts";
import type { HostHandlers, InvocationHandlers } from "./invocation-handlers.ts";
import { parseUrl } from "./parse-url.ts";
import { settleHostCall } from "./settle-host-call.ts";

export interface SluiceHostOptions {
  pluginId: string;
  /** The call with this id while it runs; undefined once it has finished. */
  invocation(invocationId: string): { handlers: InvocationHandlers; hook: string; clock?: InvocationClock; controller?: AbortController } | undefined;
  /** The sandbox's defaults, for calls without a handler of their own and for logs outside calls. */
  host: HostHandlers;
  logger: Logger;
  timers: HostTimers;
}

const MAX_LOG_MESSAGE_LENGTH = 16_384;
const MAX_RANDOM_BYTES = 65_536;
const LOG_LEVELS = new Set<LogLevel>(["debug", "info", "warn", "error"]);

/**
 * The host side of `globalThis.__sluice_host` (contract §4) for one sandbox: each capability finds
 * the handlers of the call it belongs to by invocation id. None of these throw or reject.
 */
export function createSluiceHost(options: SluiceHostOptions): SluiceHost {
  const { pluginId, host, logger, timers } = options;
  const running = (invocationId: string) => {
    const invocation = options.invocation(invocationId);
    if (!invocation) throw new SluiceError("PLUGIN_ERROR", "This hook call has finished; emit, call and fetch work only while it runs");
    return invocation;
  };
  // The call's time limit does not run while it waits for the host.
  const settle = async <T>(invocationId: string, work: (invocation: ReturnType<typeof running>) => T | Promise<T>) => {
    return settleHostCall(async () => {
      const invocation = running(invocationId);
      return invocation.clock ? await invocation.clock.waitFor(work(invocation)) : await work(invocation);
    });
  };
  return {
    emit: (invocationId, event) =>
      settle(invocationId, async (invocation) => {
        const emit = invocation.handlers.emit ?? host.emit;
        await emit?.(event);
        return null;
      }),
    call: (invocationId, event) =>
      settle(invocationId, (invocation) => {
        const call = invocation.handlers.call ?? host.call;
        if (!call) throw new SluiceError("PLUGIN_ERROR", "ctx.call needs a browser session, and this request has none");
        return call(event);
      }),
    fetch: (invocationId, request) =>
      settle(invocationId, (invocation) => {
        // The sandbox-wide fetch is the permission-checked one: a call cannot widen it.
        const fetch = host.fetch ?? invocation.handlers.fetch;
        if (!fetch) throw new SluiceError("PERMISSION_DENIED", `Plugin "${pluginId}" has no network permission`);
        invocation.controller ??= new AbortController();
        return fetch(request, { signal: invocation.controller.signal });
      }),
    log: (invocationId, level, message) => {
      try {
        // Lines logged after their call finished (from a timer) still reach the server log.
        const invocation = invocationId === null ? undefined : options.invocation(invocationId);
        const safeLevel = LOG_LEVELS.has(level) ? level : "info";
        const text = String(message).slice(0, MAX_LOG_MESSAGE_LENGTH);
        const log = invocation?.handlers.log ?? host.log;
        if (log) log(safeLevel, text);
        else logger[safeLevel]({ pluginId, hook: invocation?.hook }, text);
      } catch (error) {
        logger.warn({ pluginId, error: error instanceof Error ? error.message : String(error) }, "a plugin log line was lost");
      }
    },
    sleep: (milliseconds) => timers.sleep(milliseconds),
    randomBytes: (length) => {
      const count = Math.min(Math.max(Math.trunc(Number(length)) || 0, 0), MAX_RANDOM_BYTES);
      return Array.from(randomBytes(count));
    },
    parseUrl,
  };
}
