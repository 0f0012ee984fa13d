import { describe, expect, it } from "vitest";
import { createUrlClass } from "./create-url-class.ts";
import type { HostUrlParts, SluiceHost } from "./types.ts";

const NodeURL = globalThis.URL;
const calls: Array<[string, string | undefined]> = [];

// The server's parseUrl answers with Node's WHATWG parser; so does this one.
const parseUrl: SluiceHost["parseUrl"] = (input, base) => {
  calls.push([input, base]);
  if (!NodeURL.canParse(input, base)) return { ok: false, error: { code: "INVALID_INPUT", message: "Invalid URL" } };
  const url = new NodeURL(input, base);
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = url;
  return { ok: true, value: { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } };
};

const URL = createUrlClass(parseUrl);
const FIELDS = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"] as const;
const fieldsOf = (url: Pick<HostUrlParts, (typeof FIELDS)[number]>) => Object.fromEntries(FIELDS.map((field) => [field, url[field]]));

const ADDRESSES = [
  "https://user:pa%20ss@Example.COM:8443/a/./b/../c?x=1&y=é#frag",
  "http://example.com:80/",
  "http://[::1]:3000/path",
  "file:///etc/hosts",
  "mailto:ada@example.com",
  "data:text/plain;base64,aGk=",
  "foo://host/p?q",
  "urn:isbn:0451450523",
];

describe("the isolate's URL class", () => {
  it("parses like Node's URL, with and without a base", () => {
    for (const address of ADDRESSES) expect(fieldsOf(new URL(address)), address).toEqual(fieldsOf(new NodeURL(address)));
    expect(new URL("../d?z#h", "https://example.com/a/b/c").href).toBe("https://example.com/a/d?z#h");
    expect(new URL("/x", new URL("https://example.com/a")).href).toBe("https://example.com/x");
    expect(String(new URL("https://example.com"))).toBe("https://example.com/");
    expect(JSON.stringify({ url: new URL("https://example.com/a b") })).toBe('{"url":"https://example.com/a%20b"}');
  });

  it("throws a TypeError for an invalid URL, and has canParse and parse", () => {
    expect(() => new URL("not a url")).toThrow(TypeError);
    expect(() => new URL("/relative")).toThrow("Invalid URL: /relative");
    expect([URL.canParse("https://x"), URL.canParse("nope"), URL.canParse("/a", "https://x")]).toEqual([true, false, true]);
    expect(URL.parse("nope")).toBeNull();
    expect(URL.parse("b", "https://x/a/")?.href).toBe("https://x/a/b");
    expect(Object.prototype.toString.call(new URL("https://x"))).toBe("[object URL]");
  });

  it("applies setters as Node's URL does", () => {
    const cases: Array<[string, (typeof FIELDS)[number], string]> = [
      ["https://example.com/a?b#c", "pathname", "new path/é?#"],
      ["https://example.com/a", "pathname", ""],
      ["https://example.com/a?b#c", "search", "?x=1 2#3"],
      ["https://example.com/a?b#c", "search", ""],
      ["https://example.com/a?b#c", "hash", "top"],
      ["https://example.com/a?b#c", "hash", ""],
      ["https://example.com:8443/a", "host", "other.org"],
      ["https://example.com:8443/a", "host", "other.org:9000"],
      ["https://example.com:8443/a", "hostname", "other.org:1"],
      ["https://example.com/a", "host", ""],
      ["https://example.com/a", "port", "8080"],
      ["https://example.com:8080/a", "port", ""],
      ["https://example.com/a", "port", "443"],
      ["https://example.com/a", "port", "12ab"],
      ["https://example.com/a", "port", "abc"],
      ["https://example.com/a", "port", "99999"],
      ["https://example.com/a", "username", "a@b:c"],
      ["https://ada@example.com/a", "password", "p/w ö"],
      ["https://ada:pw@example.com/a", "username", ""],
      ["http://example.com:443/a", "protocol", "https"],
      ["http://example.com/a", "protocol", "wss:"],
      ["http://example.com/a", "protocol", "foo"],
      ["foo://example.com/a", "protocol", "bar"],
      ["mailto:ada@example.com", "pathname", "x"],
      ["mailto:ada@example.com", "host", "example.com"],
      ["file:///tmp/x", "port", "80"],
      ["https://example.com/a", "href", "http://other.org/b"],
      ["http://[::1]:3000/a", "hostname", "[::2]"],
      ["http://example.com/a", "hostname", "Bücher.example"],
      ["foo://host/p", "pathname", "x y"],
      ["foo://host/p", "host", ""],
      ["https://example.com/a", "search", "q=é&r= "],
      ["https://example.com/a", "hash", "#é x "],
      ["https://example.com/a", "pathname", " a\tb\n "],
      ["https://example.com/a", "username", "a\tb c"],
      ["https://example.com/a", "search", "a=\u0001"],
    ];
    for (const [address, field, value] of cases) {
      const ours = new URL(address);
      const node = new NodeURL(address);
      (ours as unknown as Record<string, unknown>)[field] = value;
      (node as unknown as Record<string, unknown>)[field] = value;
      expect(fieldsOf(ours), `${address} ${field} = ${JSON.stringify(value)}`).toEqual(fieldsOf(node));
    }
    expect(() => {
      new URL("https://example.com").href = "nope";
    }).toThrow(TypeError);
  });

  it("keeps searchParams and search in step", () => {
    const url = new URL("https://example.com/s?q=caf%C3%A9&page=1#top");
    const params = url.searchParams;
    expect(url.searchParams).toBe(params);
    expect([params.get("q"), params.get("page")]).toEqual(["café", "1"]);
    params.set("page", "2");
    params.append("tag", "a b");
    expect(url.href).toBe("https://example.com/s?q=caf%C3%A9&page=2&tag=a+b#top");
    url.search = "?x=9";
    expect([...params]).toEqual([["x", "9"]]);
    params.delete("x");
    expect([url.search, url.href]).toEqual(["", "https://example.com/s#top"]);
    url.href = "https://example.com/?k=v";
    expect(params.get("k")).toBe("v");
  });

  it("asks the host once per parse, passing the base only when given", () => {
    calls.length = 0;
    new URL("https://example.com/");
    new URL("a", "https://example.com/");
    expect(calls).toEqual([
      ["https://example.com/", undefined],
      ["a", "https://example.com/"],
    ]);
  });
});
