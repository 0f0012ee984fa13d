import { BlockList, isIP } from "node:net";

// Addresses a plugin may not reach unless PLUGIN_ALLOW_PRIVATE_NETWORK=true: the server itself,
// its private and link-local networks (cloud metadata at 169.254.169.254 included), and
// special-purpose ranges. IPv6 forms that embed an IPv4 address (IPv4-compatible ::/96,
// IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, NAT64, 6to4, Teredo) are refused
// whole rather than decoded: a public service is reached by its plain address.
const SPECIAL_IPV4: Array<[string, number]> = [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the server itself on Linux
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

const SPECIAL_IPV6: Array<[string, number]> = [
  ["::", 96], // IPv4-compatible (deprecated): ::7f00:1 is 127.0.0.1; also unspecified (::) and loopback (::1)
  ["::ffff:0:0:0", 96], // IPv4-translated (SIIT): ::ffff:0:7f00:1 is 127.0.0.1
  ["64:ff9b::", 96], // NAT64
  ["64:ff9b:1::", 48],
  ["100::", 64], // discard
  ["2001::", 32], // Teredo
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const special = new BlockList();
for (const [network, prefix] of SPECIAL_IPV4) special.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of SPECIAL_IPV6) special.addSubnet(network, prefix, "ipv6");
// Kept apart: a BlockList holding ::ffff:0:0/96 also matches every plain IPv4 address.
const ipv4Mapped = new BlockList();
ipv4Mapped.addSubnet("::ffff:0:0", 96, "ipv6");

/**
 * True when `address` (an IP address) is public: not loopback, private, link-local, unspecified,
 * multicast or another special-purpose range. Anything that is not an IP address is not public.
 *
 * @example
 * isPublicAddress("93.184.215.14"); // true
 * isPublicAddress("169.254.169.254"); // false
 */
export function isPublicAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return false;
  if (version === 6 && ipv4Mapped.check(address, "ipv6")) return false;
  return !special.check(address, version === 4 ? "ipv4" : "ipv6");
}

/** The ports a `network:` entry without a port covers: those of https and http. */
export const DEFAULT_GRANTED_PORTS: readonly number[] = [443, 80];

/**
 * Whether a granted pattern (`api.example.com`, `*.example.com:8443`, `[::1]:8080`) covers a URL's
 * host and port: a pattern without a port covers {@link DEFAULT_GRANTED_PORTS} only, one with a
 * port that port only. `url` is as `URL` parses it (an empty `port` is the scheme's default).
 *
 * @example
 * patternAllows("api.example.com", new URL("https://api.example.com/")); // true
 * patternAllows("api.example.com", new URL("http://api.example.com:6379/")); // false
 * patternAllows("api.example.com:6379", new URL("http://api.example.com:6379/")); // true
 */
export function patternAllows(pattern: string, url: URL): boolean {
  const match = /^(.*?)(?::(\d+))?$/.exec(pattern)!;
  const host = match[1]!;
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  const isPortCovered = match[2] === undefined ? DEFAULT_GRANTED_PORTS.includes(port) : Number(match[2]) === port;
  return isPortCovered && hostMatches(host, url.hostname);
}

/**
 * Whether `hostname` (as `URL#hostname` gives it: lower-case, IPv6 in brackets) is covered by a
 * permission pattern: `api.example.com` covers that host only; `*.example.com` covers every
 * subdomain of example.com (`a.example.com`, `a.b.example.com`) but not example.com itself; `*`
 * covers every host (the address checks still keep out private ones).
 *
 * @example
 * hostMatches("*.example.com", "api.example.com"); // true
 * hostMatches("*.example.com", "example.com"); // false
 */
export function hostMatches(pattern: string, hostname: string): boolean {
  if (pattern === "*") return true;
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}
