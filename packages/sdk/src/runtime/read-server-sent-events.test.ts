import { describe, expect, it } from "vitest";
import { readLines } from "./read-lines.ts";
import { readServerSentEvents } from "./read-server-sent-events.ts";

async function* chunksOf(...pieces: Array<string | number[]>): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield typeof piece === "string" ? new TextEncoder().encode(piece) : Uint8Array.from(piece);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

describe("readLines", () => {
  it("splits on LF, CRLF and CR, across chunks, and joins characters split between chunks", async () => {
    // "é" is 0xc3 0xa9, split between two chunks; a CRLF is split too.
    const lines = await collect(readLines(chunksOf("one\r", "\ntwo\rthree\n", [0x63, 0x61, 0x66, 0xc3], [0xa9, 0x0a], "last")));
    expect(lines).toEqual(["one", "two", "three", "café", "last"]);
  });

  it("keeps empty lines and yields nothing for an empty body", async () => {
    expect(await collect(readLines(chunksOf("a\n\nb\n")))).toEqual(["a", "", "b"]);
    expect(await collect(readLines(chunksOf()))).toEqual([]);
  });
});

describe("readServerSentEvents", () => {
  it("parses events as browsers do: data lines joined, event names, ids kept, comments skipped", async () => {
    const stream = chunksOf(
      ": keep-alive\n\n",
      'data: {"a":',
      "1}\n\n",
      "event: status\nid: 7\ndata: line one\ndata:line two\nretry: 100\n\n",
      "data\n\n",
      "data: after\r\n\r\n",
      "event: lonely\n\n",
      "data: cut off at the end",
    );
    expect(await collect(readServerSentEvents(readLines(stream)))).toEqual([
      { event: "message", data: '{"a":1}', id: "" },
      { event: "status", data: "line one\nline two", id: "7" },
      { event: "message", data: "", id: "7" },
      { event: "message", data: "after", id: "7" },
    ]);
  });

  it("stops reading the body when the loop stops", async () => {
    let isClosed = false;
    async function* body() {
      try {
        yield new TextEncoder().encode("data: 1\n\ndata: 2\n\n");
        yield new TextEncoder().encode("data: 3\n\n");
      } finally {
        isClosed = true;
      }
    }
    for await (const event of readServerSentEvents(readLines(body()))) if (event.data === "1") break;
    expect(isClosed).toBe(true);
  });
});
