import { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from "node:util";
import { describe, expect, it } from "vitest";
import { TextDecoder } from "./text-decoder.ts";
import { TextEncoder } from "./text-encoder.ts";

// The isolate's codecs must agree with Node's (the WHATWG Encoding standard) byte for byte.
const TEXTS = [
  "",
  "plain ASCII",
  "café crème",
  "日本語のテキスト",
  "emoji 🎉👍🏽 and 𝄞",
  "lone \ud800 high",
  "lone \udc00 low",
  "end \ud83d",
];
const BYTE_CASES = [
  [0xc3, 0xa9],
  [0xc3],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x8e],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff, 0x41, 0x80, 0x42],
  [0xef, 0xbb, 0xbf, 0x68, 0x69],
  [0x61, 0xf0, 0x9f, 0x98, 0x80, 0xe2, 0x28, 0xa1],
];

describe("TextEncoder", () => {
  it("encodes like Node, lone surrogates as U+FFFD", () => {
    for (const text of TEXTS) expect([...new TextEncoder().encode(text)], text).toEqual([...new NodeTextEncoder().encode(text)]);
    expect(new TextEncoder().encoding).toBe("utf-8");
  });

  it("encodeInto writes only whole characters that fit", () => {
    const destination = new Uint8Array(5);
    expect(new TextEncoder().encodeInto("aé🎉", destination)).toEqual({ read: 2, written: 3 });
    expect([...destination.subarray(0, 3)]).toEqual([0x61, 0xc3, 0xa9]);
    expect(new TextEncoder().encodeInto("🎉", new Uint8Array(4))).toEqual({ read: 2, written: 4 });
  });
});

describe("TextDecoder", () => {
  it("round-trips non-ASCII text", () => {
    const text = "Grüße, 世界 — 🎉";
    expect(new TextDecoder().decode(new TextEncoder().encode(text))).toBe(text);
  });

  it("decodes invalid and truncated sequences like Node (one U+FFFD per maximal subpart), BOM stripped", () => {
    for (const bytes of BYTE_CASES) {
      expect(new TextDecoder().decode(new Uint8Array(bytes)), bytes.join()).toBe(new NodeTextDecoder().decode(new Uint8Array(bytes)));
    }
    expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68]))).toBe("\ufeffh");
  });

  it("keeps a character split across chunks with { stream: true }", () => {
    const bytes = new TextEncoder().encode("a🎉é");
    const decoder = new TextDecoder();
    const pieces = [...bytes].map((byte) => decoder.decode(new Uint8Array([byte]), { stream: true }));
    expect(pieces.join("") + decoder.decode()).toBe("a🎉é");
    expect(decoder.decode(new Uint8Array([0xe2, 0x82]), { stream: true }) + decoder.decode()).toBe("\ufffd");
  });

  it("accepts ArrayBuffers and views, throws in fatal mode, and refuses other encodings", () => {
    const bytes = new Uint8Array([0x00, 0x68, 0x69, 0x00]);
    expect(new TextDecoder().decode(bytes.buffer)).toBe("\0hi\0");
    expect(new TextDecoder().decode(new DataView(bytes.buffer, 1, 2))).toBe("hi");
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff]))).toThrow(TypeError);
    expect(new TextDecoder(" UTF8 ").encoding).toBe("utf-8");
    expect(() => new TextDecoder("latin1")).toThrow(RangeError);
  });
});
