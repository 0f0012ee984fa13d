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
