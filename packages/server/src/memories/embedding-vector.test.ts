import { describe, expect, it } from "vitest";
import { cosineSimilarity, decodeEmbedding, encodeEmbedding } from "./embedding-vector.ts";

describe("embedding vectors", () => {
  it("stores a vector as little-endian float32 and reads it back", () => {
    const bytes = encodeEmbedding([1, -0.5, 0.25]);
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 0x80, 0x3f]);
    expect([...decodeEmbedding(bytes)]).toEqual([1, -0.5, 0.25]);
    // An unaligned view (as a driver may hand over) reads the same.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect([...decodeEmbedding(shifted.subarray(1))]).toEqual([1, -0.5, 0.25]);
    expect(decodeEmbedding(new Uint8Array(5))).toHaveLength(0);
  });

  it("measures the cosine between two vectors", () => {
    expect(cosineSimilarity([1, 0], [2, 0])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 3])).toBeCloseTo(0);
    expect(cosineSimilarity([1, 1], [-1, -1])).toBeCloseTo(-1);
    expect(cosineSimilarity([1, 1, 0], [1, 0, 0])).toBeCloseTo(Math.SQRT1_2);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
    expect(cosineSimilarity([1, 0], [1, 0, 0])).toBe(0);
  });
});
