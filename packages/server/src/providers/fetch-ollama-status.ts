import { SluiceError } from "@sluice/sdk";
import { connectionHost, describeNetworkError, readUpstreamError } from "./upstream-error.ts";

/** What an Ollama server says about itself: `GET /api/version`, and its models from `GET /api/tags`. */
export interface OllamaStatus {
  version: string;
  /** The entries of `/api/tags` as they came (`name`, `model`, `size`, …). */
  models: Record<string, unknown>[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function getJson(url: string, host: string, key: string | undefined, options: { timeoutMs: number; fetch: typeof fetch }) {
  let response: Response;
  try {
    response = await options.fetch(url, {
      headers: { accept: "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new SluiceError("UPSTREAM_ERROR", `cannot reach ${host}: ${describeNetworkError(error)}`, { cause: error });
  }
  if (!response.ok) throw await readUpstreamError(response, host);
  try {
    return (await response.json()) as unknown;
  } catch (error) {
    throw new SluiceError("UPSTREAM_ERROR", `${host} did not answer JSON to ${new URL(url).pathname}: is it an Ollama server?`, {
      cause: error,
    });
  }
}

/**
 * Asks an Ollama server (its root URL, e.g. `http://localhost:11434`) for its version and models.
 *
 * @throws SluiceError `UPSTREAM_ERROR` when it cannot be reached in `timeoutMs`, answers non-2xx,
 *   or answers something that is not Ollama's.
 *
 * @example
 * const { version, models } = await fetchOllamaStatus("http://localhost:11434", undefined, { timeoutMs: 5000, fetch });
 */
export async function fetchOllamaStatus(
  baseUrl: string,
  key: string | undefined,
  options: { timeoutMs: number; fetch: typeof fetch },
): Promise<OllamaStatus> {
  const host = connectionHost(baseUrl);
  const [version, tags] = await Promise.all([
    getJson(`${baseUrl}/api/version`, host, key, options),
    getJson(`${baseUrl}/api/tags`, host, key, options),
  ]);
  if (!isRecord(version) || typeof version.version !== "string") {
    throw new SluiceError("UPSTREAM_ERROR", `${host} answered /api/version without a "version": is it an Ollama server?`);
  }
  const models = isRecord(tags) && Array.isArray(tags.models) ? tags.models.filter(isRecord) : [];
  return { version: version.version, models };
}

/**
 * Whether an Ollama server answers at `baseUrl` (`GET /api/version` within `timeoutMs`): its
 * version, or undefined for anything else (nothing listening, another server, too slow).
 */
export async function detectOllama(baseUrl: string, options: { timeoutMs: number; fetch: typeof fetch }): Promise<string | undefined> {
  try {
    const response = await options.fetch(`${baseUrl}/api/version`, { signal: AbortSignal.timeout(options.timeoutMs) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as unknown;
    return isRecord(body) && typeof body.version === "string" ? body.version : undefined;
  } catch {
    return undefined;
  }
}
