import { ERROR_CODES, SluiceError } from "../errors.ts";
import type { HostResult } from "./types.ts";

/**
 * The value of a host result, or the `SluiceError` it carries thrown inside the plugin.
 *
 * @example
 * const response = unwrapHostResult(await host.fetch(invocationId, request), "fetch");
 */
export function unwrapHostResult<T>(result: HostResult<T>, capability: string): T {
  if (typeof result !== "object" || result === null) {
    throw new SluiceError("INTERNAL", `The host's ${capability} answered without a result object`);
  }
  if (result.ok) return result.value;
  const code = ERROR_CODES.includes(result.error?.code) ? result.error.code : "INTERNAL";
  throw new SluiceError(code, result.error?.message ?? `${capability} failed`);
}
