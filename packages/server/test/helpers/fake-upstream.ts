import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { type FakeReply, messageText, planReply } from "./fake-upstream-reply.ts";

/** One request the fake upstream received, as it came. */
export interface RecordedRequest {
  method: string;
  /** The path with its query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; the raw text when it is not JSON; undefined without a body. */
  body: unknown;
}

export interface FakeUpstreamOptions {
  /** Model ids served by `GET /v1/models` and accepted by chat requests; `fake-small`, `fake-large` by default. */
  models?: string[];
  /** When set, every request must carry `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
  /** Answer JSON even to `stream: true`, like upstreams that ignore streaming. */
  ignoreStream?: boolean;
  /** Model ids accepted by `POST /v1/embeddings` (not listed by `/v1/models`); `fake-embed` by default. */
  embeddingModels?: string[];
  /** Also answer as an Ollama server would at its root: `GET /api/version` with this version, `GET /api/tags` with the models. */
  ollamaVersion?: string;
}

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>/v1`: what `OPENAI_API_BASE_URL` or the `openai` client's `baseURL` wants. */
  readonly baseUrl: string;
  /** Every request in arrival order (models listings included); tests may clear it. */
  readonly requests: RecordedRequest[];
  /** Chat requests whose client went away before the answer ended (e.g. a cancelled "slow" stream). */
  readonly abortedRequests: number;
  /** The chat requests only (`POST /v1/chat/completions`), their bodies. */
  chatBodies(): Record<string, unknown>[];
  /** The embeddings requests only (`POST /v1/embeddings`), their bodies. */
  embeddingBodies(): { model: string; input: string | string[] }[];
  /** Stops listening and cuts open connections (pending "slow" streams end). */
  close(): Promise<void>;
}

const DEFAULT_MODELS = ["fake-small", "fake-large"];
const DEFAULT_EMBEDDING_MODELS = ["fake-embed"];
/** Length of the fake's embeddings. */
export const FAKE_EMBEDDING_DIMENSIONS = 256;

/**
 * The fake's embedding of a text: a bag of words. Each word (letters and digits, lower-cased)
 * adds 1 to the position its FNV-1a hash picks, so texts sharing words point the same way and the
 * cosine of two texts grows with the words they share. Deterministic, so tests can compute it too.
 */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(FAKE_EMBEDDING_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let hash = 0x811c9dc5;
    for (const character of word) hash = Math.imul(hash ^ character.codePointAt(0)!, 0x01000193) >>> 0;
    vector[hash % FAKE_EMBEDDING_DIMENSIONS]! += 1;
  }
  return vector;
}
const CREATED = 1_700_000_000;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, message: string, type: string, code: string | null = null): void {
  sendJson(response, status, { error: { message, type, param: null, code } });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  return Buffer.concat(pieces).toString("utf8");
}

function countWords(value: unknown): number {
  return JSON.stringify(value ?? "").split(/\s+/).length;
}

/** The parts of an answer that depend on the request, shared by the JSON and streaming forms. */
interface AnswerContext {
  id: string;
  model: string;
  promptTokens: number;
  toolCallId: string;
}

function usageOf(context: AnswerContext, completionTokens: number) {
  return {
    prompt_tokens: context.promptTokens,
    completion_tokens: completionTokens,
    total_tokens: context.promptTokens + completionTokens,
  };
}

function completionOf(context: AnswerContext, reply: Exclude<FakeReply, { kind: "error" | "stream-error" }>) {
  const message =
    reply.kind === "tool-call"
      ? {
          role: "assistant",
          content: null,
          tool_calls: [{ id: context.toolCallId, type: "function", function: { name: reply.name, arguments: reply.arguments } }],
          refusal: null,
          annotations: [],
        }
      : {
          role: "assistant",
          content: reply.pieces.join(""),
          ...(reply.kind === "content" && reply.reasoning ? { reasoning_content: reply.reasoning.join("") } : {}),
          refusal: null,
          annotations: [],
        };
  const completionTokens = reply.kind === "tool-call" ? 3 : reply.pieces.length;
  return {
    id: context.id,
    object: "chat.completion",
    created: CREATED,
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.kind === "tool-call" ? "tool_calls" : "stop" }],
    usage: usageOf(context, completionTokens),
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
}

/** `{"city":"Paris"}` → `{"city":`, `"Par`, `is"}`: arguments arrive in several pieces, as from OpenAI. */
function splitArguments(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces.length > 0 ? pieces : [""];
}

/** The deltas of a streamed answer (before the finish chunk), in OpenAI's order. */
function deltasOf(context: AnswerContext, reply: FakeReply): Record<string, unknown>[] {
  if (reply.kind === "tool-call") {
    return [
      {
        role: "assistant",
        content: null,
        tool_calls: [{ index: 0, id: context.toolCallId, type: "function", function: { name: reply.name, arguments: "" } }],
        refusal: null,
      },
      ...splitArguments(reply.arguments).map((piece) => ({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
    ];
  }
  if (reply.kind === "error") return [];
  const reasoning = reply.kind === "content" ? (reply.reasoning ?? []) : [];
  return [
    { role: "assistant", content: "", refusal: null },
    ...reasoning.map((piece) => ({ content: null, reasoning_content: piece })),
    ...reply.pieces.map((piece) => ({ content: piece })),
  ];
}

/**
 * Starts a small OpenAI-compatible server on 127.0.0.1 (a free port) for tests: Sluice's
 * upstream, or the target of the official `openai` client. The "model" answers by rules on the
 * conversation (the last user message's text unless said otherwise), first match wins:
 *
 * 1. a system or user message contains `Generate a concise` (title task) → `{"title": "Fake Title"}`;
 * 2. contains `fail` → HTTP 500 `{"error": {"message": "upstream exploded", "type": "server_error"}}`;
 * 3. contains `stream error` → streams `Partial `, `answer`, then `data: {"error": {"message": "stream exploded"}}`
 *    and closes without `[DONE]` (without streaming: HTTP 500 "stream exploded");
 * 4. contains `loop tools` and the request has `tools` → calls the first tool with `{}`, every time;
 * 5. the last message has role `tool` → `Tool said: <its content>`;
 * 6. the last message is a user message with `weather in <City>` (`Paris`, `New York`) and a tool
 *    whose name contains `weather` → calls it with `{"city":"<City>"}` (arguments streamed in
 *    pieces), `finish_reason: "tool_calls"`;
 * 7. contains `think first` → reasoning first (`reasoning_content` deltas "Let me think.",
 *    "
Two and two", " make four."), then `You said: <text>`, a piece every 400 ms;
 * 8. contains `slow` → `tick ` 200 times, one every 50 ms (10 s; JSON: after 10 s);
 * 9. the last message is an assistant message (a "Continue") → ` and so on.`;
 * 10. contains `numbered` → `Answer <n>: <text>`, n counting the requests with that same last user text (regenerating gives another answer);
 * 11. otherwise → `You said: <text>` in three chunks.
 *
 * `POST /v1/embeddings` (`{model, input}`, input a string or a list of them) answers each input's
 * {@link fakeEmbedding} in OpenAI's shape (floats, or base64 float32s with
 * `encoding_format: "base64"`); an input containing `fail` gets HTTP 500 "embeddings exploded",
 * an unknown model 404.
 *
 * Streaming answers are SSE in OpenAI's exact chunk format ending with `data: [DONE]`, with a
 * usage chunk when `stream_options.include_usage` is set. Like OpenAI it refuses an unknown
 * model (404), a missing `messages` list (400) and `stream_options` without `stream` (400).
 *
 * @example
 * const upstream = await startFakeUpstream({ apiKey: "sk-fake" });
 * const sluice = await startServer({ kind: "sqlite", env: { OPENAI_API_BASE_URL: upstream.baseUrl, OPENAI_API_KEY: "sk-fake" } });
 * // … chat through Sluice, then:
 * expect(upstream.chatBodies().at(-1)?.messages).toHaveLength(2);
 * await vi.waitFor(() => expect(upstream.abortedRequests).toBe(1)); // after cancelling a "slow" chat
 * await upstream.close();
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const models = options.models ?? DEFAULT_MODELS;
  const embeddingModels = options.embeddingModels ?? DEFAULT_EMBEDDING_MODELS;
  const requests: RecordedRequest[] = [];
  let abortedRequests = 0;
  let sequence = 0;
  /** Chat requests so far by their last user text, for the `numbered` rule. */
  const timesAsked = new Map<string, number>();

  async function answerChat(request: IncomingMessage, response: ServerResponse, body: unknown): Promise<void> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return sendError(response, 400, "We could not parse the JSON body of your request.", "invalid_request_error");
    }
    const chat = body as Record<string, unknown>;
    if (!Array.isArray(chat.messages) || chat.messages.length === 0) {
      return sendError(response, 400, "Missing required parameter: 'messages'.", "invalid_request_error", "missing_required_parameter");
    }
    if (typeof chat.model !== "string" || !models.includes(chat.model)) {
      return sendError(
        response,
        404,
        `The model \`${String(chat.model)}\` does not exist or you do not have access to it.`,
        "invalid_request_error",
        "model_not_found",
      );
    }
    const isStreaming = chat.stream === true && !options.ignoreStream;
    if (chat.stream_options != null && chat.stream !== true) {
      return sendError(response, 400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_request_error");
    }

    sequence += 1;
    const context: AnswerContext = {
      id: `chatcmpl-fake-${sequence}`,
      model: chat.model,
      promptTokens: countWords(chat.messages),
      toolCallId: `call_fake_${sequence}`,
    };
    const askedText = messageText((chat.messages as { role?: unknown }[]).findLast((message) => message.role === "user"));
    const reply = planReply(chat, timesAsked.get(askedText) ?? 0);
    timesAsked.set(askedText, (timesAsked.get(askedText) ?? 0) + 1);
    const stopped = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) abortedRequests += 1;
      stopped.abort();
    });
    request.socket.setNoDelay(true);

    try {
      if (reply.kind === "error") return sendError(response, reply.status, reply.message, reply.type);
      if (!isStreaming) {
        if (reply.kind === "stream-error") return sendError(response, 500, reply.message, "server_error");
        if (reply.kind === "content" && reply.delayMs > 0)
          await delay(reply.delayMs * reply.pieces.length, undefined, { signal: stopped.signal });
        return sendJson(response, 200, completionOf(context, reply));
      }

      const includeUsage = (chat.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
      const frame = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
        id: context.id,
        object: "chat.completion.chunk",
        created: CREATED,
        model: context.model,
        service_tier: "default",
        system_fingerprint: "fp_fake",
        choices,
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      });
      const send = (value: unknown) => response.write(`data: ${JSON.stringify(value)}\n\n`);
      response.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      response.flushHeaders();

      const deltas = deltasOf(context, reply);
      const delayMs = reply.kind === "content" ? reply.delayMs : 0;
      for (const [position, delta] of deltas.entries()) {
        // The role chunk goes at once; content pieces wait their turn (the "slow" rule).
        if (position > 0 && delayMs > 0) await delay(delayMs, undefined, { signal: stopped.signal });
        if (stopped.signal.aborted) return;
        send(frame([{ index: 0, delta, logprobs: null, finish_reason: null }]));
      }
      if (reply.kind === "stream-error") {
        send({ error: { message: reply.message, type: "server_error", param: null, code: null } });
        response.end();
        return;
      }
      send(frame([{ index: 0, delta: {}, logprobs: null, finish_reason: reply.kind === "tool-call" ? "tool_calls" : "stop" }]));
      if (includeUsage) send(frame([], { usage: usageOf(context, deltas.length - 1) }));
      response.end("data: [DONE]\n\n");
    } catch (error) {
      // A delay cut short because the client left: nothing more to send.
      if (!stopped.signal.aborted) throw error;
    }
  }

  function answerEmbeddings(response: ServerResponse, body: unknown): void {
    const request = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const inputs = typeof request.input === "string" ? [request.input] : request.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((input) => typeof input === "string")) {
      return sendError(response, 400, "'input' must be a string or a non-empty list of strings.", "invalid_request_error");
    }
    if (typeof request.model !== "string" || !embeddingModels.includes(request.model)) {
      return sendError(response, 404, `The model \`${String(request.model)}\` does not exist.`, "invalid_request_error", "model_not_found");
    }
    if (inputs.some((input) => input.includes("fail"))) return sendError(response, 500, "embeddings exploded", "server_error");
    const isBase64 = request.encoding_format === "base64";
    const encode = (vector: number[]) => {
      if (!isBase64) return vector;
      const bytes = Buffer.alloc(vector.length * 4);
      vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
      return bytes.toString("base64");
    };
    const tokens = inputs.reduce((total, input) => total + countWords(input), 0);
    return sendJson(response, 200, {
      object: "list",
      data: inputs.map((input, index) => ({ object: "embedding", index, embedding: encode(fakeEmbedding(input)) })),
      model: request.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);
    let body: unknown = text === "" ? undefined : text;
    try {
      if (text !== "") body = JSON.parse(text);
    } catch {
      // Kept as text; a chat request then gets 400.
    }
    const path = request.url ?? "/";
    requests.push({ method: request.method ?? "GET", path, headers: request.headers, body });

    if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      const message = request.headers.authorization
        ? "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
        : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
      return sendError(response, 401, message, "invalid_request_error", request.headers.authorization ? "invalid_api_key" : null);
    }
    const route = `${request.method} ${path.split("?")[0]}`;
    if (route === "GET /v1/models") {
      return sendJson(response, 200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: CREATED, owned_by: "fake" })),
      });
    }
    if (route === "GET /api/version" && options.ollamaVersion) return sendJson(response, 200, { version: options.ollamaVersion });
    if (route === "GET /api/tags" && options.ollamaVersion) {
      return sendJson(response, 200, {
        models: models.map((name) => ({ name, model: name, size: 1_000_000, details: { family: "fake" } })),
      });
    }
    if (route === "POST /v1/chat/completions") return answerChat(request, response, body);
    if (route === "POST /v1/embeddings") return answerEmbeddings(response, body);
    return sendError(response, 404, `Unknown request URL: ${request.method} ${path}.`, "invalid_request_error", "unknown_url");
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, `fake upstream failed: ${(error as Error).message}`, "server_error");
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    get abortedRequests() {
      return abortedRequests;
    },
    chatBodies: () =>
      requests
        .filter((request) => request.method === "POST" && request.path.startsWith("/v1/chat/completions"))
        .map((request) => request.body as Record<string, unknown>),
    embeddingBodies: () =>
      requests
        .filter((request) => request.method === "POST" && request.path.startsWith("/v1/embeddings"))
        .map((request) => request.body as { model: string; input: string | string[] }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
