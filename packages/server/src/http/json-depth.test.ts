import { describe, expect, it } from "vitest";
import { exceedsJsonDepth } from "./json-depth.ts";

describe("exceedsJsonDepth", () => {
  it("counts nested arrays and objects", () => {
    expect(exceedsJsonDepth('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(exceedsJsonDepth("[".repeat(10_000) + "]".repeat(10_000))).toBe(true);
  });

  it("counts siblings once, not their sum", () => {
    expect(exceedsJsonDepth(`[${"[1],".repeat(500)}[2]]`, 2)).toBe(false);
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    expect(exceedsJsonDepth(JSON.stringify({ text: "[[[[{{{{", quoted: '\\"[[[[' }), 1)).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify(["\\", [[1]]]), 2)).toBe(true);
  });
});
