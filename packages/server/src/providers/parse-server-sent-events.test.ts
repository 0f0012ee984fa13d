import { describe, expect, it } from "vitest";
import { parseServerSentEvents, type ServerSentEvent } from "./parse-server-sent-events.ts";

async function* pieces(...values: Array<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
  for (const value of values) yield value;
}

async function parse(...values: Array<string | Uint8Array>): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of parseServerSentEvents(pieces(...values))) events.push(event);
  return events;
}

const data = (...values: string[]) => values.map((value) => ({ event: "message", data: value }));

describe("parseServerSentEvents", () => {
  it("reads LF, CRLF and CR line breaks alike", async () => {
    expect(await parse("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\n\n")).toEqual(data("a", "b", "c", "d"));
  });

  it("joins multi-line data with newlines", async () => {
    expect(await parse('data: {"a":\ndata: 1}\n\n')).toEqual(data('{"a":\n1}'));
  });

  it("ignores comments, keep-alive blank lines and unknown fields", async () => {
    expect(await parse(": OPENROUTER PROCESSING\n\n\n\nretry: 1000\nfoo: bar\ndata: x\n\n: ping\n\n")).toEqual(data("x"));
  });

  it("keeps the event name and the last id", async () => {
    expect(await parse("event: error\nid: 7\ndata: boom\n\ndata: next\n\n")).toEqual([
      { event: "error", data: "boom", id: "7" },
      { event: "message", data: "next", id: "7" },
    ]);
  });

  it("takes one optional space after the colon, and a field without colon as empty", async () => {
    expect(await parse("data:tight\n\ndata:  two\n\ndata\n\n")).toEqual(data("tight", " two", ""));
  });

  it("reassembles lines split across pieces, including a CRLF split between its CR and LF", async () => {
    expect(await parse("da", "ta: he", "llo\r", "\n", "\r\n", "data: x\r", "\r")).toEqual(data("hello", "x"));
  });

  it("decodes UTF-8 characters split across byte pieces and drops a BOM", async () => {
    const bytes = new TextEncoder().encode("\uFEFFdata: héllo 🌊\n\n");
    const split = [bytes.slice(0, 2), bytes.slice(2, 12), bytes.slice(12, 16), bytes.slice(16)];
    expect(await parse(...split)).toEqual(data("héllo 🌊"));
  });

  it("still delivers a last event without its blank line or final line break", async () => {
    expect(await parse("data: a\n\ndata: [DONE]")).toEqual(data("a", "[DONE]"));
    expect(await parse("data: a\n")).toEqual(data("a"));
    expect(await parse("data: a\r")).toEqual(data("a"));
  });

  it("gives nothing for an empty stream or one with only comments", async () => {
    expect(await parse()).toEqual([]);
    expect(await parse(": hi\n\n", "\n")).toEqual([]);
  });

  it("keeps its place when two parsers run interleaved", async () => {
    const first = parseServerSentEvents(pieces("data: 1\n\ndata: 2\n\n"));
    const second = parseServerSentEvents(pieces("data: a\n\ndata: b\n\n"));
    const order = [await first.next(), await second.next(), await first.next(), await second.next()].map((result) => result.value?.data);
    expect(order).toEqual(["1", "a", "2", "b"]);
  });
});

describe("parseServerSentEvents limits", () => {
  it("refuses a line that never ends instead of buffering it for ever", async () => {
    async function* endless() {
      for (let i = 0; i < 100; i++) yield new TextEncoder().encode("data: " + "x".repeat(1000));
    }
    const read = async () => {
      for await (const _event of parseServerSentEvents(endless(), { maxLineCharacters: 10_000 })) {
        // nothing
      }
    };
    await expect(read()).rejects.toThrow("a line of the event stream is longer than 10000 characters");
  });

  it("finds line breaks split across many small pieces", async () => {
    async function* pieces() {
      for (const piece of ["da", "ta: a", "b\r", "\n\r", "\ndata: c\n", "\n"]) yield piece;
    }
    const events = [];
    for await (const event of parseServerSentEvents(pieces())) events.push(event.data);
    expect(events).toEqual(["ab", "c"]);
  });
});
