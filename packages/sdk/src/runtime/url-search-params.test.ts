import { describe, expect, it } from "vitest";
import { URLSearchParams } from "./url-search-params.ts";

const NodeURLSearchParams = globalThis.URLSearchParams;

describe("URLSearchParams", () => {
  it("parses and serialises like Node's", () => {
    for (const query of ["?a=1&b=2&a=3", "q=caf%C3%A9+au+lait&empty=&flag", "a=%zz&b=%F0%9F&c=%2B+%26", "x=1=2&&y=%E2%82%AC", "", "?"]) {
      const ours = new URLSearchParams(query);
      const node = new NodeURLSearchParams(query);
      expect([...ours], query).toEqual([...node]);
      expect(ours.toString(), query).toBe(node.toString());
    }
  });

  it("encodes form style: space as +, only letters, digits and *-._ kept", () => {
    const params = new URLSearchParams({ text: "a b&c=d/é~!*-._", "ü n": "x" });
    expect(params.toString()).toBe(new NodeURLSearchParams({ text: "a b&c=d/é~!*-._", "ü n": "x" }).toString());
    expect(params.toString()).toBe("text=a+b%26c%3Dd%2F%C3%A9%7E%21*-._&%C3%BC+n=x");
  });

  it("gets, sets, appends, deletes, sorts and iterates", () => {
    const params = new URLSearchParams([
      ["b", "2"],
      ["a", "1"],
      ["b", "3"],
    ]);
    expect([params.get("b"), params.get("missing"), params.getAll("b"), params.has("a"), params.has("b", "3"), params.size]).toEqual([
      "2",
      null,
      ["2", "3"],
      true,
      true,
      3,
    ]);
    params.set("b", "9");
    expect(params.toString()).toBe("b=9&a=1");
    params.append("c", "x");
    params.append("c", "y");
    params.delete("c", "x");
    params.sort();
    expect([...params.keys()]).toEqual(["a", "b", "c"]);
    expect([...params.values()]).toEqual(["1", "9", "y"]);
    const seen: string[] = [];
    params.forEach((value, name) => seen.push(`${name}:${value}`));
    expect(seen).toEqual(["a:1", "b:9", "c:y"]);
    expect(new URLSearchParams(params).toString()).toBe("a=1&b=9&c=y");
    expect(() => new URLSearchParams([["only one"]] as never)).toThrow(TypeError);
  });
});
