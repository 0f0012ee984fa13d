import type { HostResult, HostUrlParts } from "@sluice/sdk/runtime";

// data: URLs may be long; past this a plugin is more likely looping than parsing.
const MAX_URL_LENGTH = 2 * 1024 * 1024;

/**
 * The `parseUrl` host capability (docs/internals/plugin-runtime.md §4): parses with Node's WHATWG `URL` so the isolate's
 * `URL` class behaves exactly like Node's. Synchronous; never throws.
 *
 * @example
 * parseUrl("b?x=1", "https://example.com/a/"); // { ok: true, value: { href: "https://example.com/a/b?x=1", … } }
 */
export function parseUrl(input: string, base?: string): HostResult<HostUrlParts> {
  try {
    const text = String(input);
    if (text.length > MAX_URL_LENGTH || (base !== undefined && String(base).length > MAX_URL_LENGTH)) {
      return { ok: false, error: { code: "INVALID_INPUT", message: `URLs longer than ${MAX_URL_LENGTH} characters are not parsed` } };
    }
    const url = base === undefined || base === null ? new URL(text) : new URL(text, String(base));
    const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = url;
    return { ok: true, value: { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } };
  } catch {
    return { ok: false, error: { code: "INVALID_INPUT", message: "Invalid URL" } };
  }
}
