import { describe, expect, it } from "vitest";
import { assertJsonValue } from "./assert-json-value.ts";

describe("assertJsonValue", () => {
  it("accepts plain data, null-prototype objects, undefined members and shared (non-cyclic) references", () => {
    const shared = { a: 1 };
    expect(() =>
      assertJsonValue({ a: [1, "x", true, null, undefined, { b: shared }], c: shared, d: Object.create(null) }, "It", "value"),
    ).not.toThrow();
  });

  it.each([
    [{ when: new Date(0) }, "value.when is a Date (use toISOString())"],
    [{ list: [1, new Map()] }, "value.list[1] is a Map"],
    [{ run() {} }, "value.run is a function"],
    [{ big: 1n }, "value.big is a bigint"],
    [Symbol("s"), "value is a symbol"],
  ])("names the first non-JSON place (%#)", (value, problem) => {
    expect(() => assertJsonValue(value, "It", "value")).toThrow(`It is not plain JSON data: ${problem}`);
  });

  it("stops at cycles", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = { back: cyclic };
    expect(() => assertJsonValue(cyclic, "It", "value")).toThrow(
      /^It is not plain JSON data: value\.self\.back\.self.* is nested more than 200 levels deep \(does it refer back to itself\?\)$/,
    );
  });
});
