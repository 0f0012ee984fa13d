import { describe, expect, it } from "vitest";
import { grantPermissions, networkPatterns, parsePermissions } from "./parse-permissions.ts";

describe("parsePermissions", () => {
  it("normalises network entries and node, dropping duplicates and blanks", () => {
    expect(parsePermissions(" network:API.Example.com., network:*.example.org ,, node, network:api.example.com")).toEqual([
      "network:api.example.com",
      "network:*.example.org",
      "node",
    ]);
    expect(parsePermissions("network:127.0.0.1, network:[::1]")).toEqual(["network:127.0.0.1", "network:[::1]"]);
    expect(parsePermissions("network:API.example.com:8443, network:*.example.org:8080, network:[::1]:3000, network:10.0.0.1:6379")).toEqual(
      ["network:api.example.com:8443", "network:*.example.org:8080", "network:[::1]:3000", "network:10.0.0.1:6379"],
    );
    expect(parsePermissions("network:*.example.co.uk, network:*.me.github.io")).toEqual([
      "network:*.example.co.uk",
      "network:*.me.github.io",
    ]);
    expect(parsePermissions(undefined)).toEqual([]);
  });

  it.each([
    ["network:https://api.example.com", /no scheme or path/],
    ["network:api.example.com/v1", /no scheme or path/],
    ["network:api.example.com:0", /the port must be a number from 1 to 65535/],
    ["network:api.example.com:65536", /the port must be a number from 1 to 65535/],
    ["network:api.example.com:", /the port must be a number/],
    ["network:::1", /no scheme or path/],
    ["network:*.com", /a wildcard must cover subdomains/],
    ["network:*.co.uk", /co\.uk is a public suffix/],
    ["network:*.github.io", /github\.io is a public suffix/],
    ["network:*.s3.amazonaws.com:443", /s3\.amazonaws\.com is a public suffix/],
    ["network:*.test", /a wildcard must cover subdomains/],
    ["network:exa_mple.com", /it is not a host name/],
    ["fs:/etc", /use network:<host>/],
  ])("refuses %s with a clear message", (value, message) => {
    expect(() => parsePermissions(value)).toThrow(message);
    expect(() => parsePermissions(value)).toThrow(`permissions: "${value}" is not valid`);
  });

  it("grants all requested entries, or only those an earlier grant covered", () => {
    const requested = ["network:a.example.com", "network:b.example.com"];
    expect(grantPermissions(requested, "requested")).toEqual(requested);
    expect(grantPermissions(requested, ["network:b.example.com", "network:gone.example.com"])).toEqual(["network:b.example.com"]);
    expect(networkPatterns(["network:a.example.com", "node", "network:*.x.org"])).toEqual(["a.example.com", "*.x.org"]);
  });
});

describe("network:*", () => {
  it("means any host, with or without a port", () => {
    expect(parsePermissions("network:*, network:*:8443")).toEqual(["network:*", "network:*:8443"]);
  });
});
