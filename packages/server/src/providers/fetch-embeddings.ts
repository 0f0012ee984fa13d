import { SluiceError } from "@sluice/sdk";
import { z } from "zod";
import { upstreamHeaders } from "./fetch-connection-models.ts";
import { readLimitedText } from "./read-limited-text.ts";
import type { OpenAIConnection } from "./read-openai-connections.ts";
import { connectionHost, describeNetworkError, isUpstreamErrorObject, readUpstreamError, upstreamReportedError } from "./upstream-error.ts";
import type { UpstreamFetch } from "./http-fetch.ts";

/** How long one embeddings request may take, body included. */
const EMBEDDINGS_TIMEOUT_MS = 60_000;
/** Largest embeddings answer read (a few thousand floats per text, as JSON). */
const MAX_EMBEDDINGS_BYTES = 64 * 1024 * 1024;

/** OpenAI's answer: `embedding` is a list of floats, or base64 of float32s when a server chose that format. */
const embeddingsAnswer = z.object({
  data: z.array(
    z.object({
      embedding: z.union([z.array(z.number()), z.string()]),
      index: z.number().int().nonnegative().optional(),
    }),
  ),
});

function base64Floats(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  return Array.from({ length: Math.floor(bytes.length / 4) }, (_, index) => bytes.readFloatLE(index * 4));
}

/**
 * `POST {baseUrl}/embeddings` with `{model, input}` (OpenAI's shape) on one connection: one
 * vector per input, in the inputs' order (by `index` when the answer gives it).
 *
 * @throws SluiceError `UPSTREAM_ERROR`: "cannot reach <host>", "<host> answered 404: …", no answer
 *   within a minute, or an answer without one vector of finite numbers per input, all of one length.
 */
export async function fetchEmbeddings(
  connection: OpenAIConnection,
  request: { model: string; input: string[] },
  options: { fetch: UpstreamFetch; signal?: AbortSignal },
): Promise<number[][]> {
  const host = connectionHost(connection.baseUrl);
  const timeout = AbortSignal.timeout(EMBEDDINGS_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let text: string;
  try {
    const response = await options.fetch(`${connection.baseUrl}/embeddings`, {
      method: "POST",
      headers: upstreamHeaders(connection, { "content-type": "application/json", accept: "application/json" }),
      body: JSON.stringify(request),
      signal,
    });
    if (!response.ok) throw await readUpstreamError(response, host);
    text = await readLimitedText(response, MAX_EMBEDDINGS_BYTES, host);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (SluiceError.isInstance(error)) throw error;
    const reason = timeout.aborted ? `no answer within ${EMBEDDINGS_TIMEOUT_MS / 1000} s` : describeNetworkError(error);
    throw new SluiceError("UPSTREAM_ERROR", `cannot reach ${host} for embeddings: ${reason}`, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SluiceError("UPSTREAM_ERROR", `${host} answered /embeddings with invalid JSON: ${text.slice(0, 200)}`);
  }
  if (isUpstreamErrorObject(body)) throw upstreamReportedError(host, body);
  const parsed = embeddingsAnswer.safeParse(body);
  if (!parsed.success) throw new SluiceError("UPSTREAM_ERROR", `${host} answered /embeddings without a "data" list of embeddings`);
  const entries = parsed.data.data;
  const ordered = entries.every((entry) => entry.index !== undefined) ? [...entries].sort((a, b) => a.index! - b.index!) : entries;
  const vectors = ordered.map((entry) => (typeof entry.embedding === "string" ? base64Floats(entry.embedding) : entry.embedding));
  const length = vectors[0]?.length ?? 0;
  if (vectors.length !== request.input.length) {
    throw new SluiceError("UPSTREAM_ERROR", `${host} answered ${vectors.length} embeddings for ${request.input.length} texts`);
  }
  if (length === 0 || vectors.some((vector) => vector.length !== length || !vector.every(Number.isFinite))) {
    throw new SluiceError("UPSTREAM_ERROR", `${host} answered embeddings that are empty, of different lengths, or not numbers`);
  }
  return vectors;
}
