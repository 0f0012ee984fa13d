import { describe, expect, it } from "vitest";
import { hostMatches, isPublicAddress, patternAllows } from "./network-policy.ts";

describe("isPublicAddress", () => {
  it.each([
    "127.0.0.1",
    "127.5.6.7",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "0.0.0.0",
    "100.64.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:8.8.8.8",
    "ff02::1",
    "not an address",
    // IPv4-compatible (::/96), IPv4-translated (::ffff:0:0:0/96) and NAT64 (64:ff9b::/96) forms are refused whole.
    "::7f00:1",
    "::127.0.0.1",
    "::a9fe:a9fe",
    "::808:808",
    "::ffff:0:7f00:1",
    "::ffff:0:808:808",
    "64:ff9b::7f00:1",
    "64:ff9b::808:808",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["8.8.8.8", "93.184.215.14", "172.32.0.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"])("allows %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe("hostMatches", () => {
  it("matches exact hosts, and wildcards on subdomains only", () => {
    expect(hostMatches("api.example.com", "api.example.com")).toBe(true);
    expect(hostMatches("api.example.com", "API.example.com.")).toBe(true);
    expect(hostMatches("api.example.com", "x.api.example.com")).toBe(false);
    expect(hostMatches("*.example.com", "a.example.com")).toBe(true);
    expect(hostMatches("*.example.com", "a.b.example.com")).toBe(true);
    expect(hostMatches("*.example.com", "example.com")).toBe(false);
    expect(hostMatches("*.example.com", "badexample.com")).toBe(false);
    expect(hostMatches("*.example.com", "example.com.evil.org")).toBe(false);
  });
});

describe("patternAllows", () => {
  it("covers ports 443 and 80 without a port, and only the named port with one", () => {
    expect(patternAllows("api.example.com", new URL("https://api.example.com/"))).toBe(true);
    expect(patternAllows("api.example.com", new URL("http://api.example.com/"))).toBe(true);
    expect(patternAllows("api.example.com", new URL("https://api.example.com:80/"))).toBe(true);
    expect(patternAllows("api.example.com", new URL("http://api.example.com:6379/"))).toBe(false);
    expect(patternAllows("api.example.com", new URL("https://api.example.com:8443/"))).toBe(false);
    expect(patternAllows("api.example.com:8443", new URL("https://api.example.com:8443/"))).toBe(true);
    expect(patternAllows("api.example.com:8443", new URL("https://api.example.com/"))).toBe(false);
    expect(patternAllows("*.example.com:8443", new URL("https://a.example.com:8443/"))).toBe(true);
    expect(patternAllows("*.example.com:8443", new URL("https://example.com:8443/"))).toBe(false);
    expect(patternAllows("[::1]:8080", new URL("http://[::1]:8080/"))).toBe(true);
    expect(patternAllows("[::1]", new URL("http://[::1]:8080/"))).toBe(false);
    expect(patternAllows("[::1]", new URL("http://[::1]/"))).toBe(true);
  });
});

describe("the pattern *", () => {
  it("covers any host on the default ports, or on the port it names", () => {
    expect(patternAllows("*", new URL("https://api.anthropic.com/v1/messages"))).toBe(true);
    expect(patternAllows("*", new URL("http://example.org/"))).toBe(true);
    expect(patternAllows("*", new URL("https://example.org:8443/"))).toBe(false);
    expect(patternAllows("*:8443", new URL("https://example.org:8443/"))).toBe(true);
  });
});
