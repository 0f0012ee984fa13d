import { SluiceError } from "@sluice/sdk";
import type { OpenAIConnection } from "./read-openai-connections.ts";
import { connectionHost, describeNetworkError, readUpstreamError } from "./upstream-error.ts";
import type { UpstreamModel } from "./upstream-model.ts";
import type { UpstreamFetch } from "./http-fetch.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The headers every upstream request carries. */
export function upstreamHeaders(connection: OpenAIConnection, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { ...extra };
  if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;
  return headers;
}

/**
 * `GET {baseUrl}/models` on one connection. Throws `UPSTREAM_ERROR` when the connection cannot
 * be reached, does not answer within `timeoutMs` (body included), answers non-2xx, or answers
 * something without a `data` list.
 */
export async function fetchConnectionModels(
  connection: OpenAIConnection,
  connectionIndex: number,
  options: { timeoutMs: number; fetch: UpstreamFetch },
): Promise<UpstreamModel[]> {
  const host = connectionHost(connection.baseUrl);
  let body: unknown;
  try {
    const response = await options.fetch(`${connection.baseUrl}/models`, {
      headers: upstreamHeaders(connection, { accept: "application/json" }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!response.ok) throw await readUpstreamError(response, host);
    body = await response.json();
  } catch (error) {
    if (SluiceError.isInstance(error)) throw error;
    const reason =
      error instanceof Error && error.name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : describeNetworkError(error);
    throw new SluiceError("UPSTREAM_ERROR", `cannot list the models of ${host}: ${reason}`, { cause: error });
  }
  // OpenAI answers {object: "list", data: [...]}; a few servers answer the bare list.
  const list = isRecord(body) ? body.data : body;
  if (!Array.isArray(list)) throw new SluiceError("UPSTREAM_ERROR", `${host} answered GET /models without a "data" list`);
  return list
    .filter((entry): entry is Record<string, unknown> => isRecord(entry) && typeof entry.id === "string" && entry.id !== "")
    .map((entry) => ({
      id: entry.id as string,
      name: typeof entry.name === "string" && entry.name ? entry.name : (entry.id as string),
      owned_by: typeof entry.owned_by === "string" && entry.owned_by ? entry.owned_by : "openai",
      connectionIndex,
      raw: entry,
    }));
}

/**
 * A connection's models as chats see them, after its `modelIds` and `prefixId` (Open WebUI's
 * `model_ids` and `prefix_id`): an OpenAI-compatible connection with `modelIds` offers exactly
 * those, without being asked; an Ollama one offers those of its list that are among them. With a
 * prefix, each id becomes `<prefix>.<id>` and `upstreamId` keeps the one to send upstream.
 */
export async function listConnectionModels(
  connection: OpenAIConnection,
  connectionIndex: number,
  options: { timeoutMs: number; fetch: UpstreamFetch },
): Promise<UpstreamModel[]> {
  const wanted = connection.modelIds && connection.modelIds.length > 0 ? new Set(connection.modelIds) : undefined;
  let models: UpstreamModel[];
  if (wanted && !connection.isOllama) {
    models = [...wanted].map((id) => ({
      id,
      name: id,
      owned_by: "openai",
      connectionIndex,
      raw: { id, object: "model", owned_by: "openai" },
    }));
  } else {
    models = await fetchConnectionModels(connection, connectionIndex, options);
    if (wanted) models = models.filter((model) => wanted.has(model.id));
  }
  const prefix = connection.prefixId;
  if (!prefix) return models;
  return models.map((model) => {
    const id = `${prefix}.${model.id}`;
    // As Open WebUI names them: the upstream's own name when it gives one, else the prefixed id.
    const name = typeof model.raw.name === "string" && model.raw.name ? model.name : id;
    return { ...model, id, upstreamId: model.id, name, raw: { ...model.raw, id } };
  });
}
