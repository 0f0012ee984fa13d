import { SluiceError } from "@sluice/sdk";
import { getDomain } from "tldts";
import { looksLikePython, parseFrontmatter } from "@sluice/sdk/wire";

/**
 * What a plugin asked for in its `permissions:` frontmatter and what it has been granted, each a
 * list of normalised entries: `network:api.example.com`, `network:*.example.org`,
 * `network:api.example.com:8443`, `node`.
 */
export interface PluginPermissions {
  requested: string[];
  granted: string[];
}

/**
 * What the save path grants: `"requested"` grants everything the frontmatter asks for (an admin
 * saving), a list grants those entries only (kept from an earlier approval; a new request waits).
 */
export type PermissionGrant = "requested" | readonly string[];

const NETWORK_PREFIX = "network:";
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function refuse(entry: string, why: string): never {
  throw new SluiceError("PLUGIN_LOAD_FAILED", `permissions: "${entry}" is not valid: ${why}`);
}

/** `host` and an optional `:port` of a network entry: `api.example.com:8443`, `[::1]:8080`. */
function splitPort(entry: string, pattern: string): { host: string; port?: number } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(pattern);
  if (!match) return refuse(entry, "give a host name such as api.example.com or *.example.com, with an optional :port (no scheme or path)");
  const [, host, port] = match;
  if (port === undefined) return { host: host! };
  const number = Number(port);
  if (!/^\d{1,5}$/.test(port) || number < 1 || number > 65535) refuse(entry, "the port must be a number from 1 to 65535");
  return { host: host!, port: number };
}

/**
 * `api.example.com`, `*.example.org`, an IPv4 address or a bracketed IPv6 address, lower-cased,
 * with `:port` when one is named. A wildcard's base must be a registrable domain, not a public
 * suffix (`*.co.uk`, `*.github.io`): those cover every site anyone registers under them.
 */
function normaliseHostPattern(entry: string, pattern: string): string {
  const { host: rawHost, port } = splitPort(entry, pattern);
  // `*`: any host on the internet, for plugins whose base URL is a valve (provider manifolds,
  // search tools with a configurable endpoint). Addresses are still checked: public ones only.
  if (rawHost === "*") return port === undefined ? "*" : `*:${port}`;
  const isWildcard = rawHost.startsWith("*.");
  const host = (isWildcard ? rawHost.slice(2) : rawHost).toLowerCase().replace(/\.$/, "");
  if (host === "" || /[/:?#@\s]/.test(host.replace(/^\[[0-9a-f:.]+\]$/, ""))) {
    refuse(entry, "give a host name such as api.example.com or *.example.com, with an optional :port (no scheme or path)");
  }
  let hostname: string;
  try {
    hostname = new URL(`http://${host}/`).hostname;
  } catch {
    return refuse(entry, "it is not a host name");
  }
  const suffix = port === undefined ? "" : `:${port}`;
  if (hostname.startsWith("[")) {
    if (isWildcard) refuse(entry, "a wildcard needs a domain name after *.");
    return hostname + suffix;
  }
  const labels = hostname.split(".");
  if (!labels.every((label) => LABEL.test(label))) refuse(entry, "it is not a host name");
  if (isWildcard && (labels.length < 2 || /^\d+$/.test(labels.at(-1)!))) {
    refuse(entry, "a wildcard must cover subdomains of a domain with at least two labels, as in *.example.com");
  }
  if (isWildcard && getDomain(hostname, { allowPrivateDomains: true }) === null) {
    refuse(
      entry,
      `${hostname} is a public suffix, under which anyone can register a site; name a domain of your own, as in *.example.${hostname}`,
    );
  }
  return (isWildcard ? `*.${hostname}` : hostname) + suffix;
}

/**
 * Parses the `permissions` frontmatter value: entries separated by commas, each
 * `network:<host>[:<port>]` or `node` (the trusted tier). `network:*` means any host on the internet
 * (public addresses only, as for every entry). `*.example.com` covers the subdomains of
 * example.com, not example.com itself, and is refused when example.com is a public suffix. Without
 * a port an entry covers ports 443 and 80 only; with one, that port only. Duplicates are dropped. Throws PLUGIN_LOAD_FAILED naming a bad entry.
 *
 * @example
 * parsePermissions("network:API.example.com, network:*.example.org");
 * // → ["network:api.example.com", "network:*.example.org"]
 */
export function parsePermissions(value: string | undefined): string[] {
  const entries = new Set<string>();
  for (const raw of (value ?? "").split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    if (entry.toLowerCase() === "node") {
      entries.add("node");
    } else if (entry.toLowerCase().startsWith(NETWORK_PREFIX)) {
      entries.add(NETWORK_PREFIX + normaliseHostPattern(entry, entry.slice(NETWORK_PREFIX.length).trim()));
    } else {
      refuse(
        entry,
        "use network:<host>[:<port>] (for example network:api.example.com, network:*.example.com or network:api.example.com:8443) or node",
      );
    }
  }
  return [...entries];
}

/**
 * The entries that choose where a plugin runs, outside the isolate: `node` (the trusted tier, asked
 * for in the frontmatter) and `python` (the Python tier, implied by Python source). Only an admin's
 * approval grants them, never a save.
 */
export const TIER_PERMISSIONS: readonly string[] = ["node", "python"];

/** True for `node` and `python` (see {@link TIER_PERMISSIONS}). */
export function isTierPermission(entry: string): boolean {
  return TIER_PERMISSIONS.includes(entry);
}

/**
 * What a plugin's source asks for: its `permissions` frontmatter, plus `python` for Python source
 * (an Open WebUI plugin runs only in the Python tier, which an admin approves). Throws as
 * {@link parsePermissions} does.
 *
 * @example
 * requestedPermissions('"""\ntitle: X\n"""\nclass Filter:\n    pass\n'); // ["network:*", "python"]
 */
export function requestedPermissions(source: string, manifest: Record<string, string> = parseFrontmatter(source)): string[] {
  const requested = parsePermissions(manifest.permissions);
  if (!looksLikePython(source)) return requested;
  // An Open WebUI plugin pasted as it is has no `permissions:` line, and reached the internet
  // there: it asks for any public host (private addresses stay refused). A docstring that lists
  // its hosts gets only those.
  const withNetwork = manifest.permissions === undefined ? [...requested, "network:*"] : requested;
  return withNetwork.includes("python") ? withNetwork : [...withNetwork, "python"];
}

/** The requested entries that `grant` covers. */
export function grantPermissions(requested: readonly string[], grant: PermissionGrant): string[] {
  if (grant === "requested") return [...requested];
  const granted = new Set(grant);
  return requested.filter((entry) => granted.has(entry));
}

/** The host patterns of the `network:` entries. */
export function networkPatterns(entries: readonly string[]): string[] {
  return entries.filter((entry) => entry.startsWith(NETWORK_PREFIX)).map((entry) => entry.slice(NETWORK_PREFIX.length));
}
