import { ApiError, detailOf } from "./api-error.ts";
import { readToken, writeToken } from "./token-storage.ts";

export interface RequestOptions {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/**
 * Sends a request to the Sluice server with the signed-in user's token. Resolves with the
 * response; an HTTP error is thrown as an {@link ApiError} carrying the server's `detail`.
 * An auth failure on a signed-in request (see {@link ApiError.isAuthFailure}) forgets the token
 * (the app shows the sign-in page).
 */
export async function sendRequest(path: string, options: RequestOptions = {}): Promise<Response> {
  const token = readToken();
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "Cannot reach the Sluice server. Check your connection and try again.");
  }
  if (response.ok) return response;
  const text = await response.text().catch(() => "");
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: a proxy's error page, say
  }
  const error = new ApiError(response.status, detailOf(body, `${response.status} ${response.statusText || "error"}`), body);
  if (error.isAuthFailure && token && readToken() === token) writeToken(null);
  throw error;
}

/** Sends a request and parses the JSON answer. */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await sendRequest(path, options);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * The JSON API client every page uses.
 *
 * @example
 * const functions = await api.get<FunctionRow[]>("/api/v1/functions/");
 * await api.post("/api/v1/functions/id/turn_limit/toggle");
 */
export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, "method" | "body">) => requestJson<T>(path, { ...options, method: "GET" }),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "method" | "body">) =>
    requestJson<T>(path, { ...options, method: "POST", body: body ?? {} }),
  delete: <T>(path: string, options?: Omit<RequestOptions, "method" | "body">) => requestJson<T>(path, { ...options, method: "DELETE" }),
};
