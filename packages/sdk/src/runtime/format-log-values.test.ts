import { describe, expect, it } from "vitest";
import { formatLogValues } from "./format-log-values.ts";

describe("formatLogValues", () => {
  it("joins values like console.log: strings as is, objects as JSON, errors with their stack", () => {
    const error = new Error("boom");
    expect(formatLogValues(["a", 1, null, undefined, { b: [true] }, error])).toBe(`a 1 null undefined {"b":[true]} ${error.stack}`);
  });

  it("survives cycles and bounds the length", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatLogValues([cyclic])).toBe("[object Object]");
    const long = formatLogValues(["x".repeat(20_000)]);
    expect(long).toHaveLength(16_000 + "… (4000 more characters)".length);
    expect(long.endsWith("… (4000 more characters)")).toBe(true);
  });
});
