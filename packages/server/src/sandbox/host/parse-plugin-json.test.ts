import { describe, expect, it } from "vitest";
import { parsePluginJson } from "./parse-plugin-json.ts";

describe("parsePluginJson", () => {
  it("drops __proto__ keys at any depth and keeps the rest", () => {
    const value = parsePluginJson('{"a":1,"__proto__":{"polluted":true},"b":[{"__proto__":{"x":1},"c":2}]}') as Record<string, unknown>;
    expect(value).toEqual({ a: 1, b: [{ c: 2 }] });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.assign({}, value)).toEqual({ a: 1, b: [{ c: 2 }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsePluginJson('"__proto__"')).toBe("__proto__");
  });
});
