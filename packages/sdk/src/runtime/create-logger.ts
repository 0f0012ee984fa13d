import type { PluginLogger } from "../plugin-context.ts";
import { formatLogValues } from "./format-log-values.ts";
import type { SluiceHost } from "./types.ts";

/**
 * Builds `ctx.log` over the host's `log` capability for one invocation.
 *
 * @example
 * createLogger(host, "inv-1").info("started", { chat: 1 });
 */
export function createLogger(host: SluiceHost, invocationId: string): PluginLogger {
  return {
    debug: (...values) => host.log(invocationId, "debug", formatLogValues(values)),
    info: (...values) => host.log(invocationId, "info", formatLogValues(values)),
    warn: (...values) => host.log(invocationId, "warn", formatLogValues(values)),
    error: (...values) => host.log(invocationId, "error", formatLogValues(values)),
  };
}
