import { describe, expect, it } from "vitest";
import { readServerSentEvents } from "./read-server-sent-events.ts";

function streamOf(pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

async function collect(pieces: string[]): Promise<string[]> {
  const payloads: string[] = [];
  for await (const data of readServerSentEvents(streamOf(pieces))) payloads.push(data);
  return payloads;
}

describe("readServerSentEvents", () => {
  it("yields each event's data", async () => {
    expect(await collect(['data: {"a":1}\n\n', 'data: {"b":2}\n\ndata: [DONE]\n\n'])).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("joins events split anywhere, even inside a multi-byte character or a CRLF", async () => {
    const text = 'data: {"text":"héllo"}\r\n\r\ndata: second\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    const encoder = new TextDecoder();
    const splitBytes = (index: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, index));
          controller.enqueue(bytes.slice(index));
          controller.close();
        },
      });
    for (let index = 1; index < bytes.length; index += 1) {
      const payloads: string[] = [];
      for await (const data of readServerSentEvents(splitBytes(index))) payloads.push(data);
      expect(payloads, `split at ${index}: ${encoder.decode(bytes.slice(0, index))}`).toEqual(['{"text":"héllo"}', "second"]);
    }
  });

  it("skips comments and other fields, joins multi-line data, and keeps an unterminated last event", async () => {
    expect(await collect([": keep-alive\n", "event: x\nid: 1\ndata: one\ndata: two\n\n", "data:last"])).toEqual(["one\ntwo", "last"]);
  });
});
