import type { SluiceHost } from "./types.ts";
import { unwrapHostResult } from "./unwrap-host-result.ts";

/**
 * Calls one method of the host's service channel and resolves with its answer; a failure is the
 * host's SluiceError, thrown inside the plugin.
 */
export type HostServe = (method: string, ...args: unknown[]) => Promise<unknown>;

/**
 * The service channel (`SluiceHost.serve`) bound to one invocation. A capability built on it is a
 * thin wrapper that names a method: `serve("storage.get", key)`.
 *
 * @example
 * const serve = createServe(host, "inv-1");
 * const value = await serve("storage.get", "greeting");
 */
export function createServe(host: SluiceHost, invocationId: string): HostServe {
  return async (method, ...args) => unwrapHostResult(await host.serve(invocationId, { method, args }), method);
}
