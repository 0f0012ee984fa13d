import { SluiceError, type StreamEvent } from "@sluice/sdk";
import { describe, expect, it, vi } from "vitest";
import { parseServerSentEvents } from "./parse-server-sent-events.ts";
import { readChatChunks } from "./read-chat-chunks.ts";

async function read(text: string, logger = { warn: vi.fn() }): Promise<StreamEvent[]> {
  async function* source() {
    yield text;
  }
  const chunks: StreamEvent[] = [];
  for await (const chunk of readChatChunks(parseServerSentEvents(source()), { source: "upstream.test", logger })) chunks.push(chunk);
  return chunks;
}

describe("readChatChunks", () => {
  it("yields JSON chunks and stops at [DONE]", async () => {
    const chunks = await read('data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\ndata: [DONE]\n\ndata: {"choices":[]}\n\n');
    expect(chunks).toEqual([{ choices: [{ index: 0, delta: { content: "a" } }] }]);
  });

  it("ends quietly when the stream ends without [DONE]", async () => {
    expect(await read('data: {"choices":[]}\n\n')).toHaveLength(1);
  });

  it("gives usage-only chunks an empty choices list and choices an index and a delta", async () => {
    const chunks = await read('data: {"usage":{"total_tokens":3}}\n\ndata: {"choices":[{"finish_reason":"stop"}]}\n\n');
    expect(chunks).toEqual([{ usage: { total_tokens: 3 }, choices: [] }, { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }]);
  });

  it("throws UPSTREAM_ERROR with the message of an error object in the stream", async () => {
    const error = await read(
      'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\ndata: {"error":{"message":"overloaded","code":529}}\n\n',
    ).catch((caught) => caught);
    expect(SluiceError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: "UPSTREAM_ERROR",
      message: "upstream.test reported an error: overloaded",
      details: { error: { code: 529 } },
    });
  });

  it("throws for an `event: error`, JSON or not", async () => {
    await expect(read('event: error\ndata: {"message":"quota"}\n\n')).rejects.toThrow("upstream.test reported an error: quota");
    await expect(read("event: error\ndata: rate limited\n\n")).rejects.toThrow("upstream.test reported an error: rate limited");
  });

  it("skips events that are not JSON objects, with a warning", async () => {
    const logger = { warn: vi.fn() };
    expect(await read('data: not json\n\ndata: [1]\n\ndata: \n\ndata: {"choices":[]}\n\n', logger)).toEqual([{ choices: [] }]);
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });
});
