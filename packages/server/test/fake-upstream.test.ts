import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cosineSimilarity } from "../src/memories/embedding-vector.ts";
import { type FakeUpstream, fakeEmbedding, startFakeUpstream } from "./helpers/fake-upstream.ts";

const API_KEY = "sk-fake-upstream";

/** The fake must be faithful enough that the official client, which later tests Sluice itself, accepts it unchanged. */
describe("fake upstream, through the official openai client", () => {
  let upstream: FakeUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: API_KEY });
    client = new OpenAI({ baseURL: upstream.baseUrl, apiKey: API_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await upstream.close();
  });

  it("lists its models", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => [model.id, model.owned_by])).toEqual([
      ["fake-small", "fake"],
      ["fake-large", "fake"],
    ]);
  });

  it("answers without streaming", async () => {
    const completion = await client.chat.completions.create({ model: "fake-small", messages: [{ role: "user", content: "hello there" }] });
    expect(completion.choices[0]?.message.content).toBe("You said: hello there");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("streams the reply in about three chunks, then usage when asked", async () => {
    const stream = await client.chat.completions.create({
      model: "fake-large",
      messages: [{ role: "user", content: [{ type: "text", text: "streamed please" }] }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const contents: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) contents.push(content);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(contents.join("")).toBe("You said: streamed please");
    expect(contents).toHaveLength(3);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("streams a tool call the client's stream helper assembles, and answers the tool result", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } },
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "What is the weather in New York?" }];
    const stream = client.chat.completions.stream({ model: "fake-small", messages, tools });
    const argumentPieces: string[] = [];
    stream.on("tool_calls.function.arguments.delta", (event) => argumentPieces.push(event.arguments_delta));
    const completion = await stream.finalChatCompletion();
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function).toMatchObject({ name: "get_weather", arguments: '{"city":"New York"}' });
    expect(argumentPieces.length).toBeGreaterThan(1);

    messages.push(choice.message as OpenAI.ChatCompletionAssistantMessageParam, {
      role: "tool",
      tool_call_id: call!.id,
      content: "sunny, 21 °C",
    });
    const followUp = await client.chat.completions.create({ model: "fake-small", messages, tools });
    expect(followUp.choices[0]?.message.content).toBe("Tool said: sunny, 21 °C");
  });

  it("runs a whole tool loop with the client's runTools", async () => {
    const runner = client.chat.completions.runTools({
      model: "fake-small",
      stream: true,
      messages: [{ role: "user", content: "weather in Paris" }],
      tools: [
        {
          type: "function",
          function: {
            name: "current_weather",
            description: "Weather of a city",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            parse: JSON.parse,
            function: (args: { city: string }) => `rain in ${args.city}`,
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe("Tool said: rain in Paris");
  });

  it("numbers its answers to a 'numbered' question, and goes on with an answer that ends the conversation", async () => {
    const ask = async (messages: OpenAI.Chat.ChatCompletionMessageParam[]) =>
      (await client.chat.completions.create({ model: "fake-small", messages })).choices[0]?.message.content;
    expect(await ask([{ role: "user", content: "numbered one" }])).toBe("Answer 1: numbered one");
    expect(await ask([{ role: "user", content: "numbered one" }])).toBe("Answer 2: numbered one");
    expect(await ask([{ role: "user", content: "numbered two" }])).toBe("Answer 1: numbered two");
    expect(
      await ask([
        { role: "user", content: "numbered one" },
        { role: "assistant", content: "Half an" },
      ]),
    ).toBe(" and so on.");
  });

  it("answers a title task with a JSON title", async () => {
    const completion = await client.chat.completions.create({
      model: "fake-small",
      messages: [
        { role: "system", content: "### Task:\nGenerate a concise, 3-5 word title for the chat." },
        { role: "user", content: "this should fail loudly" },
      ],
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ title: "Fake Title" });
  });

  it("fails with HTTP 500 and OpenAI's error shape", async () => {
    const error = await client.chat.completions
      .create({ model: "fake-small", messages: [{ role: "user", content: "please fail" }] })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(500);
    expect(error.error).toMatchObject({ message: "upstream exploded", type: "server_error" });
  });

  it("sends an error object mid-stream that the client raises after the first chunks", async () => {
    const stream = await client.chat.completions.create({
      model: "fake-small",
      messages: [{ role: "user", content: "stream error" }],
      stream: true,
    });
    const contents: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) contents.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((caught) => caught);
    expect(contents.join("")).toBe("Partial answer");
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.message).toContain("stream exploded");
  });

  it("refuses a wrong key, an unknown model and stream_options without streaming like OpenAI", async () => {
    const wrongKey = new OpenAI({ baseURL: upstream.baseUrl, apiKey: "sk-wrong", maxRetries: 0 });
    await expect(wrongKey.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(
      client.chat.completions.create({ model: "gpt-nothing", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client.chat.completions.create({
        model: "fake-small",
        messages: [{ role: "user", content: "hi" }],
        stream_options: { include_usage: true },
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("records every request with its headers and body", async () => {
    upstream.requests.length = 0;
    await client.chat.completions.create({ model: "fake-small", messages: [{ role: "user", content: "record me" }], temperature: 0.5 });
    expect(upstream.requests).toHaveLength(1);
    const [recorded] = upstream.requests;
    expect(recorded).toMatchObject({ method: "POST", path: "/v1/chat/completions", body: { model: "fake-small", temperature: 0.5 } });
    expect(recorded!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(upstream.chatBodies()).toEqual([recorded!.body]);
  });

  it("keeps calling the first tool for 'loop tools'", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "again", parameters: { type: "object", properties: {} } } },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "loop tools" }];
    for (let round = 0; round < 3; round += 1) {
      const completion = await client.chat.completions.create({ model: "fake-small", messages, tools });
      const message = completion.choices[0]!.message;
      expect(message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "again", arguments: "{}" } });
      messages.push(message as OpenAI.ChatCompletionAssistantMessageParam, {
        role: "tool",
        tool_call_id: message.tool_calls![0]!.id,
        content: "done",
      });
    }
  });

  it("counts a slow stream the client abandons", async () => {
    const before = upstream.abortedRequests;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "fake-small", messages: [{ role: "user", content: "be slow" }], stream: true },
      { signal: controller.signal },
    );
    let ticks = 0;
    const reading = (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content === "tick ") ticks += 1;
    })().catch(() => {});
    await vi.waitFor(() => expect(ticks).toBeGreaterThanOrEqual(2));
    controller.abort();
    await reading;
    await vi.waitFor(() => expect(upstream.abortedRequests).toBe(before + 1));
    expect(ticks).toBeLessThan(20);
  });
});

describe("fake upstream options", () => {
  it("serves the given models, without a key, and answers JSON to stream requests when told to", async () => {
    const upstream = await startFakeUpstream({ models: ["only-one"], ignoreStream: true });
    try {
      const models = await (await fetch(`${upstream.baseUrl}/models`)).json();
      expect(models).toEqual({
        object: "list",
        data: [{ id: "only-one", object: "model", created: expect.any(Number), owned_by: "fake" }],
      });
      const response = await fetch(`${upstream.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "only-one", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(response.headers.get("content-type")).toBe("application/json");
      const completion = (await response.json()) as { choices: { message: { content: string } }[] };
      expect(completion.choices[0]?.message.content).toBe("You said: hi");
    } finally {
      await upstream.close();
    }
  });

  it("writes SSE in OpenAI's exact framing", async () => {
    const upstream = await startFakeUpstream();
    try {
      const response = await fetch(`${upstream.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "fake-small",
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      const text = await response.text();
      const events = text.split("\n\n");
      expect(events.at(-1)).toBe("");
      expect(events.at(-2)).toBe("data: [DONE]");
      const chunks = events.slice(0, -2).map((event) => JSON.parse(event.replace(/^data: /, "")));
      expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "", refusal: null });
      expect(chunks.at(-2).choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: "stop" });
      expect(chunks.at(-1)).toMatchObject({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: expect.any(Number) } });
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    } finally {
      await upstream.close();
    }
  });

  it("embeds texts as bags of words, as floats or base64, and fails on 'fail'", async () => {
    const upstream = await startFakeUpstream({ apiKey: API_KEY });
    const client = new OpenAI({ baseURL: upstream.baseUrl, apiKey: API_KEY, maxRetries: 0 });
    try {
      // The client asks for base64 by default and decodes it; floats when asked.
      const texts = ["My favourite colour is blue", "Which colour is my favourite?", "I keep bees"];
      const base64 = await client.embeddings.create({ model: "fake-embed", input: texts });
      const floats = await client.embeddings.create({ model: "fake-embed", input: texts, encoding_format: "float" });
      expect(base64.data.map((entry) => entry.embedding)).toEqual(texts.map(fakeEmbedding));
      expect(floats.data.map((entry) => entry.embedding)).toEqual(texts.map(fakeEmbedding));
      expect(floats.data.map((entry) => entry.index)).toEqual([0, 1, 2]);
      const [colour, question, bees] = texts.map(fakeEmbedding);
      expect(cosineSimilarity(colour!, question!)).toBeGreaterThan(0.5);
      expect(cosineSimilarity(colour!, bees!)).toBeLessThan(cosineSimilarity(colour!, question!));
      expect(upstream.embeddingBodies().map((body) => body.model)).toEqual(["fake-embed", "fake-embed"]);

      await expect(client.embeddings.create({ model: "fake-embed", input: "please fail" })).rejects.toMatchObject({
        status: 500,
        message: expect.stringContaining("embeddings exploded"),
      });
      await expect(client.embeddings.create({ model: "fake-small", input: "hello" })).rejects.toMatchObject({ status: 404 });
    } finally {
      await upstream.close();
    }
  });

  it("close() ends a slow stream still running", async () => {
    const upstream = await startFakeUpstream();
    const response = await fetch(`${upstream.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-small", stream: true, messages: [{ role: "user", content: "slow" }] }),
    });
    const started = Date.now();
    await upstream.close();
    await response.text().catch(() => "");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
