import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64 } from "./base64-bytes.ts";

describe("bytesToBase64 and base64ToBytes", () => {
  it("agree with Node's Buffer for every length around the padding and every byte value", () => {
    const all = Uint8Array.from({ length: 256 * 3 + 2 }, (_, index) => (index * 7) % 256);
    for (const length of [0, 1, 2, 3, 4, 5, 255, 256, 257, all.length]) {
      const bytes = all.subarray(0, length);
      const encoded = bytesToBase64(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString("base64"));
      expect([...base64ToBytes(encoded)]).toEqual([...bytes]);
      expect([...base64ToBytes(encoded.replace(/=+$/, ""))]).toEqual([...bytes]);
    }
  });

  it("encodes more than one chunk of output (large files)", () => {
    const bytes = Uint8Array.from({ length: 200_000 }, (_, index) => (index * 31) % 251);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    expect(Buffer.from(base64ToBytes(Buffer.from(bytes).toString("base64"))).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses text that is not base64", () => {
    expect(() => base64ToBytes("a")).toThrow(/wrong length/);
    expect(() => base64ToBytes("ab!d")).toThrow(/unexpected character at 2/);
    expect(() => base64ToBytes("abé=")).toThrow(/unexpected character/);
  });
});
