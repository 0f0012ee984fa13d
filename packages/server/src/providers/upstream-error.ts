import { SluiceError } from "@sluice/sdk";

const MAX_MESSAGE_CHARACTERS = 500;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shorten(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_MESSAGE_CHARACTERS ? `${trimmed.slice(0, MAX_MESSAGE_CHARACTERS)}…` : trimmed;
}

/**
 * The human message inside an upstream error body: OpenAI's `{error: {message}}`, a bare
 * `{error: "…"}`, FastAPI's `{detail}`, `{message}`, or the text itself.
 */
export function upstreamErrorMessage(body: unknown): string | undefined {
  if (typeof body === "string") return shorten(body) || undefined;
  if (!isRecord(body)) return undefined;
  const error = body.error;
  if (isRecord(error)) return upstreamErrorMessage(error.message ?? error.error ?? error.detail);
  if (typeof error === "string") return shorten(error) || undefined;
  if (typeof body.detail === "string") return shorten(body.detail) || undefined;
  if (isRecord(body.detail)) return upstreamErrorMessage(body.detail);
  if (typeof body.message === "string") return shorten(body.message) || undefined;
  return undefined;
}

/** True for a chunk that is an error report rather than a chunk (`{error: …}` with a value). */
export function isUpstreamErrorObject(value: unknown): value is Record<string, unknown> & { error: unknown } {
  return isRecord(value) && value.error !== undefined && value.error !== null;
}

/** The host (and port) of a base URL, to name a connection in messages without its path or key. */
export function connectionHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** Turns a non-2xx upstream answer into `UPSTREAM_ERROR "<host> answered <status>: <message>"`. */
export async function readUpstreamError(response: Response, host: string): Promise<SluiceError> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    // The body is only a nicer message; the status alone is still worth reporting.
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text is the message.
  }
  const message = upstreamErrorMessage(body) ?? (response.statusText || "no message");
  return new SluiceError("UPSTREAM_ERROR", `${host} answered ${response.status}: ${message}`, { details: { status: response.status } });
}

/** An upstream's `{error}` object received in place of a result (in a stream or a 2xx JSON body). */
export function upstreamReportedError(host: string, body: unknown): SluiceError {
  const message = upstreamErrorMessage(body) ?? "unknown error";
  return new SluiceError("UPSTREAM_ERROR", `${host} reported an error: ${message}`, {
    details: { error: isRecord(body) ? body.error : body },
  });
}

/** Why a request failed before any answer, in words (undici hides the reason in `cause`). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "no answer in time";
  const cause = error.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return error.message;
}
