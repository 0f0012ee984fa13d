import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { SluiceError, type StreamEvent } from "@sluice/sdk";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { collectCompletion } from "../src/providers/completion-accumulator.ts";
import { OpenAIUpstream, type UpstreamModel } from "../src/providers/openai-upstream.ts";
import { type FakeUpstream, fakeEmbedding, startFakeUpstream } from "./helpers/fake-upstream.ts";

const KEY_A = "sk-first";

function listen<T extends HttpServer | TcpServer>(server: T): Promise<T> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function portOf(server: HttpServer | TcpServer): number {
  return (server.address() as AddressInfo).port;
}

function closeServer(server: HttpServer | TcpServer): Promise<void> {
  if ("closeAllConnections" in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function caught(promise: Promise<unknown>): Promise<SluiceError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!SluiceError.isInstance(error)) throw new Error(`expected a SluiceError, got ${String(error)}`);
  return error;
}

async function drain(chunks: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

async function* replay(chunks: StreamEvent[]): AsyncGenerator<StreamEvent> {
  yield* chunks;
}

const user = (content: string) => ({ messages: [{ role: "user", content }] });

describe("OpenAIUpstream against fake upstreams on loopback", () => {
  let first: FakeUpstream;
  let second: FakeUpstream;
  let jsonOnly: FakeUpstream;
  let silent: TcpServer;
  const silentSockets = new Set<Socket>();
  let deadUrl: string;
  const logger = { warn: vi.fn() };
  let upstream: OpenAIUpstream;

  beforeAll(async () => {
    first = await startFakeUpstream({ apiKey: KEY_A });
    second = await startFakeUpstream({ models: ["fake-large", "second-only"] });
    jsonOnly = await startFakeUpstream({ models: ["json-only"], ignoreStream: true });
    // Accepts connections and never answers: a hung upstream.
    silent = await listen(createTcpServer((socket) => silentSockets.add(socket)));
    // A port that was free a moment ago: connections are refused.
    const closed = await listen(createTcpServer());
    deadUrl = `http://127.0.0.1:${portOf(closed)}/v1`;
    await closeServer(closed);
    upstream = new OpenAIUpstream(
      [
        { baseUrl: first.baseUrl, apiKey: KEY_A },
        { baseUrl: deadUrl },
        { baseUrl: `http://127.0.0.1:${portOf(silent)}/v1` },
        { baseUrl: second.baseUrl },
        { baseUrl: jsonOnly.baseUrl },
      ],
      logger,
      { modelsTimeoutMs: 300 },
    );
  });
  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await Promise.all([first.close(), second.close(), jsonOnly.close(), closeServer(silent)]);
  });

  async function model(id: string): Promise<UpstreamModel> {
    const found = await upstream.findModel(id);
    if (!found) throw new Error(`no model ${id}`);
    return found;
  }

  describe("models", () => {
    it("lists every live connection's models, skipping a refused and a hung one, first connection winning", async () => {
      const started = Date.now();
      const models = await upstream.listModels({ refresh: true });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(models.map((entry) => [entry.id, entry.connectionIndex])).toEqual([
        ["fake-small", 0],
        ["fake-large", 0],
        ["second-only", 3],
        ["json-only", 4],
      ]);
      expect(models[0]).toEqual({
        id: "fake-small",
        name: "fake-small",
        owned_by: "fake",
        connectionIndex: 0,
        raw: { id: "fake-small", object: "model", created: expect.any(Number), owned_by: "fake" },
      });
      const skipped = logger.warn.mock.calls.map(([, message]) => message as string);
      expect(skipped).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/cannot list the models of 127\.0\.0\.1:\d+: .*ECONNREFUSED/),
          expect.stringMatching(/no answer within 300 ms/),
        ]),
      );
    });

    it("sends the connection's key, and none where there is none", async () => {
      await upstream.listModels({ refresh: true });
      expect(first.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models", headers: { authorization: `Bearer ${KEY_A}` } });
      expect(second.requests.at(-1)?.headers.authorization).toBeUndefined();
    });

    it("reuses the list until it is older than modelsCacheMs, and shares one round between concurrent callers", async () => {
      const cached = new OpenAIUpstream([{ baseUrl: second.baseUrl }], logger, { modelsCacheMs: 200 });
      const before = second.requests.length;
      await Promise.all([cached.listModels(), cached.listModels(), cached.findModel("second-only")]);
      await cached.listModels();
      expect(second.requests.length - before).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 250));
      await cached.listModels();
      expect(second.requests.length - before).toBe(2);
      await cached.listModels({ refresh: true });
      expect(second.requests.length - before).toBe(3);
    });

    it("asks again once when a model is missing from a cached list", async () => {
      const cached = new OpenAIUpstream([{ baseUrl: second.baseUrl }], logger);
      await cached.listModels();
      const before = second.requests.length;
      expect(await cached.findModel("nowhere")).toBeUndefined();
      expect(second.requests.length - before).toBe(1);
    });

    it("lists nothing, and asks nobody, without connections", async () => {
      expect(await new OpenAIUpstream([], logger).listModels()).toEqual([]);
    });
  });

  describe("streamChat", () => {
    it("streams the reply with stream, include_usage, the model id and the key", async () => {
      const chunks = await drain(upstream.streamChat(await model("fake-small"), { ...user("hello"), model: "whatever", temperature: 0 }));
      const completion = await collectCompletion(replay(chunks));
      expect(completion.choices[0]?.message.content).toBe("You said: hello");
      expect(completion.choices[0]?.finish_reason).toBe("stop");
      expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(3);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
      const request = first.requests.at(-1)!;
      expect(request.headers.authorization).toBe(`Bearer ${KEY_A}`);
      expect(request.body).toEqual({
        messages: [{ role: "user", content: "hello" }],
        model: "fake-small",
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      });
    });

    it("keeps the caller's stream_options", async () => {
      const chunks = await drain(
        upstream.streamChat(await model("fake-small"), { ...user("hi"), stream_options: { include_usage: false } }),
      );
      expect(first.chatBodies().at(-1)?.stream_options).toEqual({ include_usage: false });
      expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    });

    it("passes tool-call deltas through, arguments in pieces", async () => {
      const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }];
      const chunks = await drain(upstream.streamChat(await model("fake-large"), { ...user("weather in Paris"), tools }));
      const argumentPieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((call) => call.function?.arguments);
      expect(argumentPieces.filter(Boolean).length).toBeGreaterThan(1);
      const completion = await collectCompletion(replay(chunks));
      expect(completion.choices[0]).toMatchObject({
        finish_reason: "tool_calls",
        message: {
          content: null,
          tool_calls: [
            { id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          ],
        },
      });
    });

    it("turns a 500 into UPSTREAM_ERROR with the upstream's message, before any chunk", async () => {
      const error = await caught(drain(upstream.streamChat(await model("fake-small"), user("please fail"))));
      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe(`${new URL(first.baseUrl).host} answered 500: upstream exploded`);
      expect(error.details).toEqual({ status: 500 });
    });

    it("turns a wrong key into UPSTREAM_ERROR naming the 401", async () => {
      const wrongKey = new OpenAIUpstream([{ baseUrl: first.baseUrl, apiKey: "sk-wrong" }], logger);
      const fakeSmall = { id: "fake-small", name: "fake-small", owned_by: "fake", connectionIndex: 0, raw: {} };
      const error = await caught(drain(wrongKey.streamChat(fakeSmall, user("hi"))));
      expect(error.message).toMatch(/answered 401: Incorrect API key provided/);
    });

    it("gives the chunks before an error object in the stream, then UPSTREAM_ERROR", async () => {
      const contents: string[] = [];
      const error = await caught(
        (async () => {
          for await (const chunk of upstream.streamChat(await model("fake-small"), user("stream error")))
            contents.push(chunk.choices[0]?.delta.content ?? "");
        })(),
      );
      expect(contents.join("")).toBe("Partial answer");
      expect(error).toMatchObject({ code: "UPSTREAM_ERROR", message: expect.stringContaining("stream exploded") });
    });

    it("says it cannot reach an upstream that refuses connections", async () => {
      const dead = { id: "gone", name: "gone", owned_by: "x", connectionIndex: 1, raw: {} };
      const error = await caught(drain(upstream.streamChat(dead, user("hi"))));
      expect(error.message).toMatch(/^cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    });

    it("closes the upstream request at once when the signal aborts, throwing the abort reason", async () => {
      const before = first.abortedRequests;
      const controller = new AbortController();
      let ticks = 0;
      const reading = (async () => {
        for await (const chunk of upstream.streamChat(await model("fake-small"), user("be slow"), controller.signal)) {
          if (chunk.choices[0]?.delta.content === "tick ") ticks += 1;
          if (ticks === 2) controller.abort();
        }
      })();
      const error = await reading.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect((error as Error).name).toBe("AbortError");
      await vi.waitFor(() => expect(first.abortedRequests).toBe(before + 1), { timeout: 1000 });
    });

    it("closes the upstream request when the caller stops reading early", async () => {
      const before = first.abortedRequests;
      for await (const chunk of upstream.streamChat(await model("fake-small"), user("slow please"))) {
        if (chunk.choices[0]?.delta.content === "tick ") break;
      }
      await vi.waitFor(() => expect(first.abortedRequests).toBe(before + 1), { timeout: 1000 });
    });

    it("throws the reason of a signal aborted before the call, sending nothing", async () => {
      const before = first.requests.length;
      const reason = new Error("client left");
      const error = await drain(upstream.streamChat(await model("fake-small"), user("hi"), AbortSignal.abort(reason))).catch(
        (caughtError: unknown) => caughtError,
      );
      expect(error).toBe(reason);
      expect(first.requests.length).toBe(before);
    });

    it("converts a JSON answer to a stream request into equivalent chunks", async () => {
      const jsonModel = await model("json-only");
      const chunks = await drain(upstream.streamChat(jsonModel, user("as json")));
      expect(jsonOnly.chatBodies().at(-1)?.stream).toBe(true);
      expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).filter(Boolean)).toEqual(["You said: as json"]);
      expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason ?? null)).toEqual([null, "stop", null]);
      expect(chunks.at(-1)?.usage).toMatchObject({ total_tokens: expect.any(Number) });

      const tools = [{ type: "function", function: { name: "weather_now", parameters: {} } }];
      const toolChunks = await drain(upstream.streamChat(jsonModel, { ...user("weather in Oslo"), tools }));
      expect(toolChunks[0]?.choices[0]?.delta.tool_calls).toEqual([
        { index: 0, id: expect.any(String), type: "function", function: { name: "weather_now", arguments: '{"city":"Oslo"}' } },
      ]);
    });

    it("turns a connection lost midway into UPSTREAM_ERROR", async () => {
      const cutting = await listen(
        createHttpServer((request, response) => {
          request.resume();
          request.once("end", () => {
            response.writeHead(200, { "content-type": "text/event-stream" });
            // Half a stream, then the connection ends without the end of the chunked body.
            response.write('data: {"choices":[{"index":0,"delta":{"content":"half"}}]}\n\n', () =>
              setTimeout(() => response.socket?.end(), 20),
            );
          });
        }),
      );
      try {
        const cut = new OpenAIUpstream([{ baseUrl: `http://127.0.0.1:${portOf(cutting)}/v1` }], logger);
        const contents: string[] = [];
        const error = await caught(
          (async () => {
            for await (const chunk of cut.streamChat({ id: "m", name: "m", owned_by: "x", connectionIndex: 0, raw: {} }, user("hi"))) {
              contents.push(chunk.choices[0]?.delta.content ?? "");
            }
          })(),
        );
        expect(contents).toEqual(["half"]);
        expect(error.message).toMatch(/^the connection to 127\.0\.0\.1:\d+ was lost/);
      } finally {
        await closeServer(cutting);
      }
    });
  });

  describe("complete", () => {
    it("returns the JSON completion, sending stream false and no stream_options", async () => {
      const completion = await upstream.complete(await model("fake-large"), {
        ...user("not streamed"),
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(completion.choices[0]?.message.content).toBe("You said: not streamed");
      expect(first.chatBodies().at(-1)).toEqual({
        messages: [{ role: "user", content: "not streamed" }],
        model: "fake-large",
        stream: false,
      });
    });

    it("turns a 500 into UPSTREAM_ERROR", async () => {
      const error = await caught(upstream.complete(await model("fake-small"), user("fail now")));
      expect(error).toMatchObject({ code: "UPSTREAM_ERROR", details: { status: 500 } });
      expect(error.message).toContain("upstream exploded");
    });

    it("assembles an upstream that streams even when not asked to", async () => {
      const sse = [
        'data: {"id":"s1","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"str"}}]}',
        'data: {"id":"s1","choices":[{"index":0,"delta":{"content":"eamed"},"finish_reason":"stop"}]}',
        "data: [DONE]",
        "",
      ].join("\r\n\r\n");
      // An upstream on loopback that answers every request with a stream.
      const received: { url?: string; method?: string; authorization?: string }[] = [];
      const streamingServer = createHttpServer((request, response) => {
        received.push({ url: request.url, method: request.method, authorization: request.headers.authorization });
        request.resume();
        response.writeHead(200, { "content-type": "text/event-stream" }).end(sse);
      });
      await new Promise<void>((resolve) => streamingServer.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = streamingServer.address() as AddressInfo;
        const streaming = new OpenAIUpstream([{ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: "sk-streaming" }], logger);
        const completion = await streaming.complete({ id: "m", name: "m", owned_by: "x", connectionIndex: 0, raw: {} }, user("hi"));
        expect(completion).toMatchObject({
          id: "s1",
          choices: [{ message: { role: "assistant", content: "streamed" }, finish_reason: "stop" }],
        });
        expect(received).toEqual([{ url: "/v1/chat/completions", method: "POST", authorization: "Bearer sk-streaming" }]);
      } finally {
        await new Promise<void>((resolve) => streamingServer.close(() => resolve()));
      }
    });
  });

  describe("embeddings", () => {
    /** An upstream on loopback that answers every request with `body` as JSON. */
    async function answering(body: unknown): Promise<{ upstream: OpenAIUpstream; close: () => Promise<void> }> {
      const server = await listen(
        createHttpServer((request, response) => {
          request.resume();
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
        }),
      );
      return {
        upstream: new OpenAIUpstream([{ baseUrl: `http://127.0.0.1:${portOf(server)}/v1` }], logger),
        close: () => closeServer(server),
      };
    }

    it("asks the connection that lists the model, else the first, and answers one vector per text in order", async () => {
      const listing = await startFakeUpstream({ models: ["embed-listed"], embeddingModels: ["embed-listed"] });
      try {
        const embeddings = new OpenAIUpstream([{ baseUrl: first.baseUrl, apiKey: KEY_A }, { baseUrl: listing.baseUrl }], logger);
        const texts = ["My favourite colour is blue", "bees"];
        expect(await embeddings.embed("embed-listed", texts)).toEqual(texts.map(fakeEmbedding));
        expect(listing.embeddingBodies()).toEqual([{ model: "embed-listed", input: texts }]);
        // Not listed anywhere (many providers leave embedding models out): the first connection, with its key.
        expect(await embeddings.embed("fake-embed", ["bees"])).toEqual([fakeEmbedding("bees")]);
        expect(first.embeddingBodies().at(-1)).toEqual({ model: "fake-embed", input: ["bees"] });
      } finally {
        await listing.close();
      }
    });

    it("turns the upstream's refusal or absence into UPSTREAM_ERROR, and no connection into UNAVAILABLE", async () => {
      const failed = await caught(upstream.embed("fake-embed", ["this will fail"]));
      expect(failed).toMatchObject({ code: "UPSTREAM_ERROR", details: { status: 500 } });
      expect(failed.message).toMatch(/answered 500: embeddings exploded/);
      const unknown = await caught(upstream.embed("no-such-model", ["x"]));
      expect(unknown.message).toMatch(/answered 404: The model `no-such-model` does not exist/);
      const dead = new OpenAIUpstream([{ baseUrl: deadUrl }], logger, { modelsTimeoutMs: 300 });
      expect((await caught(dead.embed("fake-embed", ["x"]))).message).toMatch(/^cannot reach 127\.0\.0\.1:\d+ for embeddings/);
      expect(await caught(new OpenAIUpstream([], logger).embed("fake-embed", ["x"]))).toMatchObject({ code: "UNAVAILABLE" });
    });

    it("reads base64 vectors and the order of `index`, and refuses answers that do not fit the texts", async () => {
      const bytes = Buffer.alloc(8);
      bytes.writeFloatLE(0.5, 0);
      bytes.writeFloatLE(-2, 4);
      const reordered = await answering({
        data: [
          { index: 1, embedding: [3, 4] },
          { index: 0, embedding: bytes.toString("base64") },
        ],
      });
      try {
        expect(await reordered.upstream.embed("m", ["a", "b"])).toEqual([
          [0.5, -2],
          [3, 4],
        ]);
        expect((await caught(reordered.upstream.embed("m", ["a"]))).message).toMatch(/answered 2 embeddings for 1 texts/);
      } finally {
        await reordered.close();
      }
      for (const body of [
        { data: [{ embedding: [1] }, { embedding: [1, 2] }] },
        { data: [{ embedding: [] }, { embedding: [] }] },
        { nothing: true },
      ]) {
        const odd = await answering(body);
        try {
          expect(await caught(odd.upstream.embed("m", ["a", "b"]))).toMatchObject({ code: "UPSTREAM_ERROR" });
        } finally {
          await odd.close();
        }
      }
    });
  });
});
