/**
 * An error answer from the server: its HTTP status and the `detail` of its JSON body
 * (`{"detail": "…"}`), plus the plugin that failed when the server names one.
 *
 * @example
 * try { await api.post("/api/v1/functions/create", form); }
 * catch (error) { if (ApiError.isInstance(error)) showError(error.detail); }
 */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly code?: string;
  readonly pluginId?: string;
  readonly hook?: string;
  /** The parsed JSON body, for pages that read more than `detail` (e.g. per-field valve errors). */
  readonly body: unknown;

  constructor(status: number, detail: string, body?: unknown) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.body = body;
    if (typeof body === "object" && body !== null) {
      const fields = body as { code?: unknown; plugin_id?: unknown; hook?: unknown };
      if (typeof fields.code === "string") this.code = fields.code;
      if (typeof fields.plugin_id === "string") this.pluginId = fields.plugin_id;
      if (typeof fields.hook === "string") this.hook = fields.hook;
    }
  }

  /**
   * Whether the server refused the credentials themselves, so the session is over: a 401 with the
   * server's own `UNAUTHORIZED` code. An error a plugin raised (it names the plugin) never is,
   * whatever its status, so a plugin cannot sign the user out.
   */
  get isAuthFailure(): boolean {
    return this.status === 401 && this.code === "UNAUTHORIZED" && this.pluginId === undefined;
  }

  static isInstance(value: unknown): value is ApiError {
    return value instanceof ApiError;
  }
}

/** A readable message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (ApiError.isInstance(error)) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The `detail` of an error body: a string, FastAPI's list of issues, or a fallback. */
export function detailOf(body: unknown, fallback: string): string {
  if (typeof body !== "object" || body === null) return typeof body === "string" && body.trim() ? body.trim().slice(0, 500) : fallback;
  const detail = (body as { detail?: unknown; error?: unknown }).detail ?? (body as { error?: unknown }).error;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail))
    return detail.map((issue) => (typeof issue === "object" && issue && "msg" in issue ? String(issue.msg) : String(issue))).join("; ");
  if (typeof detail === "object" && detail !== null) {
    const nested = (detail as { detail?: unknown; message?: unknown }).detail ?? (detail as { message?: unknown }).message;
    if (typeof nested === "string") return nested;
  }
  return fallback;
}
