import { ERROR_CODES, SluiceError } from "../errors.ts";
import { messageOf } from "./describe-value.ts";
import type { InvokeError } from "./types.ts";

/**
 * The serialisable form of anything a hook threw: a `SluiceError` keeps its code, anything else
 * is a `PLUGIN_ERROR`.
 *
 * @example
 * toInvokeError(new Error("Limit reached")); // { code: "PLUGIN_ERROR", message: "Limit reached", stack: "…" }
 */
export function toInvokeError(error: unknown): InvokeError {
  const code = SluiceError.isInstance(error) && ERROR_CODES.includes(error.code) ? error.code : "PLUGIN_ERROR";
  const message = messageOf(error) || "The plugin threw an error without a message";
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : undefined;
  return stack === undefined ? { code, message } : { code, message, stack };
}
