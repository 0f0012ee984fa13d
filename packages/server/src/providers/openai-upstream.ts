import { type ChatCompletion, SluiceError, type StreamEvent } from "@sluice/sdk";
import type { Logger } from "pino";
import { collectCompletion } from "./completion-accumulator.ts";
import { completionToChunks } from "./completion-to-chunks.ts";
import { listConnectionModels, upstreamHeaders } from "./fetch-connection-models.ts";
import { parseServerSentEvents } from "./parse-server-sent-events.ts";
import { readChatChunks } from "./read-chat-chunks.ts";
import { fetchEmbeddings } from "./fetch-embeddings.ts";
import { httpFetch, type UpstreamFetch } from "./http-fetch.ts";
import { readLimitedText } from "./read-limited-text.ts";
import type { OpenAIConnection } from "./read-openai-connections.ts";
import { connectionHost, describeNetworkError, isUpstreamErrorObject, readUpstreamError, upstreamReportedError } from "./upstream-error.ts";
import type { UpstreamModel } from "./upstream-model.ts";

export type { UpstreamModel } from "./upstream-model.ts";

export interface OpenAIUpstreamOptions {
  /** How long a model list is reused; 10 s by default. */
  modelsCacheMs?: number;
  /** How long one connection may take to list its models before it is skipped; 5 s by default. */
  modelsTimeoutMs?: number;
  /** The fetch to use (tests); {@link httpFetch} by default. */
  fetch?: UpstreamFetch;
}

type UpstreamLogger = Pick<Logger, "warn">;

function isJsonResponse(response: Response): boolean {
  return /\bjson\b/i.test(response.headers.get("content-type") ?? "");
}

/**
 * The client for the OpenAI-compatible upstreams (the admin's connections, first seeded from
 * `OPENAI_API_BASE_URL(S)` and `OPENAI_API_KEY(S)`; see {@link setConnections}): lists their models (cached, a failing connection skipped) and runs chat
 * completions on the connection that serves a model, streaming or not.
 *
 * @example
 * const upstream = new OpenAIUpstream(config.openaiConnections, logger);
 * const model = await upstream.findModel("gpt-4o");
 * if (!model) throw new SluiceError("NOT_FOUND", "Model not found");
 * for await (const chunk of upstream.streamChat(model, { messages }, request.signal)) send(chunk);
 */
export class OpenAIUpstream {
  #connections: readonly OpenAIConnection[];
  /** Bumped by {@link setConnections}, so a model listing begun before a change is not cached after it. */
  #generation = 0;
  /** The connection each listed model came from: a chat goes there even if the list changed since. */
  #connectionOf = new WeakMap<UpstreamModel, OpenAIConnection>();
  #logger: UpstreamLogger;
  #fetch: UpstreamFetch;
  #modelsCacheMs: number;
  #modelsTimeoutMs: number;
  #cached: { models: UpstreamModel[]; fetchedAt: number } | undefined;
  #failures: SluiceError[] = [];
  #pending: Promise<UpstreamModel[]> | undefined;

  constructor(connections: readonly OpenAIConnection[], logger: UpstreamLogger, options: OpenAIUpstreamOptions = {}) {
    this.#connections = connections;
    this.#logger = logger;
    this.#fetch = options.fetch ?? httpFetch;
    this.#modelsCacheMs = options.modelsCacheMs ?? 10_000;
    this.#modelsTimeoutMs = options.modelsTimeoutMs ?? 5_000;
  }

  /** The connections in use, in order. */
  get connections(): readonly OpenAIConnection[] {
    return this.#connections;
  }

  /**
   * Replaces the connections (an admin changed them): the next model listing asks the new ones,
   * at once. Requests already running finish on the connection they started on.
   */
  setConnections(connections: readonly OpenAIConnection[]): void {
    this.#connections = connections;
    this.#generation += 1;
    this.#cached = undefined;
    this.#failures = [];
    this.#pending = undefined;
  }

  /**
   * The models of every connection, asked in parallel; the first connection wins when two offer
   * the same id. A connection that fails or does not answer in time is logged and left out.
   * Reused for `modelsCacheMs` unless `refresh` is set; concurrent callers share one round.
   */
  async listModels(options: { refresh?: boolean } = {}): Promise<UpstreamModel[]> {
    const cached = this.#cached;
    if (!options.refresh && cached && Date.now() - cached.fetchedAt < this.#modelsCacheMs) return [...cached.models];
    if (!this.#pending) {
      const pending = this.#fetchModels().finally(() => {
        if (this.#pending === pending) this.#pending = undefined;
      });
      this.#pending = pending;
    }
    return [...(await this.#pending)];
  }

  /**
   * Why connections were left out of the last model list (unreachable, or what status they
   * answered): a model not found may live on one of them.
   */
  get unreachable(): readonly SluiceError[] {
    return this.#failures;
  }

  /** The model with this id, or undefined; a miss in a cached list asks the upstreams again once. */
  async findModel(id: string): Promise<UpstreamModel | undefined> {
    const wasCached = this.#cached !== undefined && Date.now() - this.#cached.fetchedAt < this.#modelsCacheMs;
    const found = (await this.listModels()).find((model) => model.id === id);
    if (found || !wasCached) return found;
    return (await this.listModels({ refresh: true })).find((model) => model.id === id);
  }

  /**
   * Streams a chat completion: POSTs `body` (with `model: model.id`, `stream: true` and, unless
   * the body sets them, `stream_options: {include_usage: true}`) to the model's connection and
   * yields its chunks until `[DONE]`. Nothing is sent until the first chunk is asked for, so a
   * caller can wait for it before answering its own client. An upstream that answers JSON
   * instead is turned into the equivalent chunks. Aborting `signal`, or leaving the loop early,
   * closes the upstream request at once; the signal's reason is then thrown.
   *
   * @throws SluiceError `UPSTREAM_ERROR` ("<host> answered 500: <message>" with `details.status`,
   *   "cannot reach <host>: …", an error object in the stream, a connection lost midway).
   */
  async *streamChat(model: UpstreamModel, body: Record<string, unknown>, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
    const connection = this.#connection(model);
    const host = connectionHost(connection.baseUrl);
    const requestBody: Record<string, unknown> = { ...body, model: model.upstreamId ?? model.id, stream: true };
    if (requestBody.stream_options === undefined) requestBody.stream_options = { include_usage: true };
    // Our own controller closes the request when the caller stops iterating early, and passes
    // the caller's abort on (cheaper than AbortSignal.any on every chat).
    const controller = new AbortController();
    const passAbortOn = () => controller.abort(signal!.reason);
    if (signal?.aborted) passAbortOn();
    else signal?.addEventListener("abort", passAbortOn, { once: true });
    try {
      const response = await this.#post(connection, requestBody, controller.signal, signal);
      try {
        if (isJsonResponse(response)) {
          yield* completionToChunks(await this.#readCompletion(response, host));
        } else if (response.body) {
          yield* readChatChunks(parseServerSentEvents(response.body), { source: host, logger: this.#logger });
        }
      } catch (error) {
        throw this.#readingError(error, host, signal);
      }
    } finally {
      signal?.removeEventListener("abort", passAbortOn);
      // With a reason of our own: the default one is a DOMException, built with its stack on every chat.
      controller.abort(STREAM_OVER);
    }
  }

  /**
   * A non-streaming chat completion: POSTs `body` with `model: model.id` and `stream: false`
   * (any `stream_options` removed, which OpenAI refuses without streaming) and returns the JSON.
   * An upstream that streams anyway is read to the end and assembled.
   */
  async complete(model: UpstreamModel, body: Record<string, unknown>, signal?: AbortSignal): Promise<ChatCompletion> {
    const connection = this.#connection(model);
    const host = connectionHost(connection.baseUrl);
    const { stream_options: _ignored, ...rest } = body;
    const response = await this.#post(connection, { ...rest, model: model.upstreamId ?? model.id, stream: false }, signal, signal);
    try {
      if (isJsonResponse(response) || !response.body) return await this.#readCompletion(response, host);
      return await collectCompletion(readChatChunks(parseServerSentEvents(response.body), { source: host, logger: this.#logger }));
    } catch (error) {
      throw this.#readingError(error, host, signal);
    }
  }

  /**
   * The vectors of `texts` from the embedding model `model` (`POST {baseUrl}/embeddings`), one
   * per text, in order. The connection is the one whose model list has `model`, else the first
   * (many providers leave embedding models out of `/models`).
   *
   * @throws SluiceError `UNAVAILABLE` without any connection; `UPSTREAM_ERROR` as {@link fetchEmbeddings}.
   */
  async embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const listed = (await this.listModels()).find((candidate) => candidate.id === model);
    const connection = listed ? this.#connection(listed) : this.#connections[0];
    if (!connection) throw new SluiceError("UNAVAILABLE", `No upstream is configured to make the embeddings of "${model}"`);
    return fetchEmbeddings(connection, { model: listed?.upstreamId ?? model, input: texts }, { fetch: this.#fetch, signal });
  }

  async #fetchModels(): Promise<UpstreamModel[]> {
    const failures: SluiceError[] = [];
    const generation = this.#generation;
    const connections = this.#connections;
    const lists = await Promise.all(
      connections.map((connection, index) =>
        listConnectionModels(connection, index, { timeoutMs: this.#modelsTimeoutMs, fetch: this.#fetch }).then(
          (models) => {
            for (const model of models) this.#connectionOf.set(model, connection);
            return models;
          },
          (error: unknown) => {
            this.#logger.warn(
              { connection: connectionHost(connection.baseUrl), err: error },
              `upstream skipped: ${(error as Error).message}`,
            );
            failures.push(
              SluiceError.isInstance(error)
                ? error
                : new SluiceError("UPSTREAM_ERROR", `cannot reach ${connectionHost(connection.baseUrl)}: ${(error as Error).message}`),
            );
            return [];
          },
        ),
      ),
    );
    const byId = new Map<string, UpstreamModel>();
    for (const model of lists.flat()) if (!byId.has(model.id)) byId.set(model.id, model);
    const models = [...byId.values()];
    if (generation === this.#generation) {
      this.#cached = { models, fetchedAt: Date.now() };
      this.#failures = failures;
    }
    return models;
  }

  #connection(model: UpstreamModel): OpenAIConnection {
    const connection = this.#connectionOf.get(model) ?? this.#connections[model.connectionIndex];
    if (!connection) throw new SluiceError("NOT_FOUND", `No upstream connection ${model.connectionIndex} for model "${model.id}"`);
    return connection;
  }

  async #post(
    connection: OpenAIConnection,
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
    callerSignal: AbortSignal | undefined,
  ): Promise<Response> {
    const host = connectionHost(connection.baseUrl);
    let response: Response;
    try {
      response = await this.#fetch(`${connection.baseUrl}/chat/completions`, {
        method: "POST",
        headers: upstreamHeaders(connection, {
          "content-type": "application/json",
          accept: body.stream ? "text/event-stream" : "application/json",
        }),
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      throw new SluiceError("UPSTREAM_ERROR", `cannot reach ${host}: ${describeNetworkError(error)}`, { cause: error });
    }
    if (!response.ok) throw await readUpstreamError(response, host);
    return response;
  }

  async #readCompletion(response: Response, host: string): Promise<ChatCompletion> {
    const text = await readLimitedText(response, MAX_COMPLETION_BYTES, host);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new SluiceError("UPSTREAM_ERROR", `${host} answered with invalid JSON: ${text.slice(0, 200)}`);
    }
    if (isUpstreamErrorObject(value)) throw upstreamReportedError(host, value);
    if (typeof value !== "object" || value === null || !Array.isArray((value as ChatCompletion).choices)) {
      throw new SluiceError("UPSTREAM_ERROR", `${host} answered without "choices": ${text.slice(0, 200)}`);
    }
    return value as ChatCompletion;
  }

  /** Errors while reading an answer: the caller's abort stays an abort, the rest becomes UPSTREAM_ERROR. */
  #readingError(error: unknown, host: string, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason;
    if (SluiceError.isInstance(error)) return error;
    return new SluiceError("UPSTREAM_ERROR", `the connection to ${host} was lost: ${describeNetworkError(error)}`, { cause: error });
  }
}

/** Largest non-streamed answer read from an upstream. */
const MAX_COMPLETION_BYTES = 64 * 1024 * 1024;

/** Why a streaming request is closed once its reader is done with it (nobody reads it then). */
const STREAM_OVER = new Error("The answer's stream is over");
