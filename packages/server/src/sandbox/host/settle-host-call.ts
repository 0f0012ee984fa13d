import { ERROR_CODES, SluiceError, type ErrorCode } from "@sluice/sdk";
import type { HostResult } from "@sluice/sdk/runtime";

function errorCodeOf(error: unknown): ErrorCode {
  if (SluiceError.isInstance(error) && (ERROR_CODES as readonly string[]).includes(error.code)) return error.code;
  return "INTERNAL";
}

/**
 * Runs a host capability and resolves to a HostResult; it never rejects. A rejecting host function
 * handed to isolated-vm also raises an unhandledRejection in the server (measured: it can end the
 * process), and a value that cannot be copied into the isolate fails the same way, so the value
 * is made plain JSON here, inside the try.
 */
export async function settleHostCall<T>(operation: () => T | Promise<T>): Promise<HostResult<T>> {
  try {
    const value = await operation();
    return { ok: true, value: value === undefined ? (null as T) : (JSON.parse(JSON.stringify(value)) as T) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: errorCodeOf(error), message } };
  }
}
