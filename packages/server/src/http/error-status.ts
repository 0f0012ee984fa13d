import type { ErrorCode, SluiceError } from "@sluice/sdk";

/** The one table from error codes to HTTP statuses. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 400,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  VALVES_INVALID: 400,
  PLUGIN_LOAD_FAILED: 400,
  PLUGIN_ERROR: 400,
  PLUGIN_TIMEOUT: 504,
  PLUGIN_MEMORY_LIMIT: 507,
  PERMISSION_DENIED: 403,
  UPSTREAM_ERROR: 502,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // nginx's and tRPC's status for a client that closed the connection first (it never reads it; logs do).
  CLIENT_CLOSED_REQUEST: 499,
  INTERNAL: 500,
};

/**
 * The HTTP status of a SluiceError. 401 says "your credentials are no good": clients (ours, Open
 * WebUI's) sign the user out on it, so an error a plugin raised (it names the plugin) never
 * answers 401, whatever code the plugin chose; it answers 400 and keeps its code in the body.
 */
export function httpStatusOf(error: SluiceError): number {
  const status = ERROR_STATUS[error.code];
  if (status === 401 && error.pluginId) return ERROR_STATUS.PLUGIN_ERROR;
  return status;
}

/** What every error answer carries, as JSON (`{detail, …}`) and in an SSE error frame (`{error: {detail, …}}`). */
export interface ErrorBody {
  detail: string;
  code: ErrorCode;
  plugin_id?: string;
  hook?: string;
  /** Machine-readable details, e.g. the invalid fields of a valves update. */
  errors?: unknown;
}

/** The body of an error answer; the same fields on every path. */
export function errorBody(error: SluiceError): ErrorBody {
  const body: ErrorBody = { detail: error.message, code: error.code };
  if (error.pluginId) body.plugin_id = error.pluginId;
  if (error.hook) body.hook = error.hook;
  if (error.details !== undefined) body.errors = error.details;
  return body;
}
