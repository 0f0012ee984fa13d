/**
 * The closed set of error codes Sluice uses, on the server and inside plugins.
 * Each maps to one HTTP status in the server's `error-status.ts` table.
 */
export const ERROR_CODES = [
  "INVALID_INPUT",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "VALVES_INVALID",
  "PLUGIN_LOAD_FAILED",
  "PLUGIN_ERROR",
  "PLUGIN_TIMEOUT",
  "PLUGIN_MEMORY_LIMIT",
  "PERMISSION_DENIED",
  "UPSTREAM_ERROR",
  "UNAVAILABLE",
  "RATE_LIMITED",
  "UNSUPPORTED_MEDIA_TYPE",
  /** The client went away (or the user stopped the answer) before the response was complete. */
  "CLIENT_CLOSED_REQUEST",
  "INTERNAL",
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const MARKER = Symbol.for("sluice.error");

/** Extra facts carried by a {@link SluiceError}. */
export interface SluiceErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** The plugin the error came from. */
  pluginId?: string;
  /** The hook (`inlet`, `stream`, `pipe`, a tool name, …) that was running. */
  hook?: string;
  /** Machine-readable details, e.g. the invalid fields of a valves update. */
  details?: unknown;
}

/**
 * The one error type of Sluice. Throw it from a plugin to choose the code the caller sees.
 *
 * @example
 * throw new SluiceError("PERMISSION_DENIED", "Only admins may run this action");
 */
export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly pluginId?: string;
  readonly hook?: string;
  readonly details?: unknown;
  readonly [MARKER] = true;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SluiceError";
    this.code = code;
    this.pluginId = options.pluginId;
    this.hook = options.hook;
    this.details = options.details;
  }

  /** True for any SluiceError, even one made by another copy of this package. */
  static isInstance(value: unknown): value is SluiceError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** What {@link toSluiceError} gives a value that is not a SluiceError. */
export interface ErrorFallback {
  /** The code for values that carry none of their own (default `INTERNAL`). */
  code?: ErrorCode;
  /** Replaces the value's own message (e.g. "Internal server error", so nothing leaks). */
  message?: string;
  pluginId?: string;
  hook?: string;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * The one way to turn any thrown value into a {@link SluiceError}: a SluiceError stays as it is;
 * an error sent over as plain data (`{ code, message }`, from a sandbox) keeps its code when it
 * is one of {@link ERROR_CODES}; anything else gets the fallback's code and its own message
 * (unless the fallback gives one), with the value as `cause`.
 *
 * @example
 * const error = toSluiceError(thrown, { code: "PLUGIN_ERROR", pluginId: "summariser", hook: "inlet" });
 */
export function toSluiceError(value: unknown, fallback: ErrorFallback = {}): SluiceError {
  if (SluiceError.isInstance(value)) return value;
  const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  const ownMessage =
    typeof record?.message === "string" ? record.message : value instanceof Error ? value.message : record ? undefined : String(value);
  const isPlainData = record !== undefined && !(value instanceof Error);
  const code = isPlainData && isErrorCode(record.code) ? record.code : (fallback.code ?? "INTERNAL");
  const options: SluiceErrorOptions = { cause: value };
  const pluginId = isPlainData && typeof record.pluginId === "string" ? record.pluginId : fallback.pluginId;
  const hook = isPlainData && typeof record.hook === "string" ? record.hook : fallback.hook;
  if (pluginId !== undefined) options.pluginId = pluginId;
  if (hook !== undefined) options.hook = hook;
  return new SluiceError(code, fallback.message ?? ownMessage ?? "Unknown error", options);
}
