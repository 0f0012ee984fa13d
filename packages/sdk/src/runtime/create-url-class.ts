import { percentEncode } from "./percent-encoding.ts";
import type { HostUrlParts, SluiceHost } from "./types.ts";
import { createLinkedSearchParams, updateLinkedSearchParams, type URLSearchParams } from "./url-search-params.ts";

const SPECIAL_SCHEMES = new Set(["ftp:", "file:", "http:", "https:", "ws:", "wss:"]);

// The WHATWG userinfo percent-encode set: what a username or password setter must escape.
const USERINFO_BYTES = new Set([...'"#<>?`{}/:;=@[\\]^| '].map((character) => character.charCodeAt(0)));
const isUserinfoByte = (byte: number): boolean => byte < 0x20 || byte > 0x7e || USERINFO_BYTES.has(byte);
const withoutTabsAndNewlines = (value: unknown): string => String(value).replace(/[\t\n\r]/g, "");

// Setter values go into a whole address that is parsed again. The parser drops tabs and newlines
// (as the standard does for setters too) but would also trim spaces and controls at the ends and
// read "?" or "#" as the next part, so those are escaped first, as the setter itself would.
const escapeForPart = (value: unknown, delimiters: RegExp | null = null): string => {
  const escaped = withoutTabsAndNewlines(value).replace(
    /[\u0000-\u0020\u007f]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
  return delimiters ? escaped.replace(delimiters, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`) : escaped;
};

type Components = Pick<HostUrlParts, "protocol" | "username" | "password" | "host" | "pathname" | "search" | "hash">;

/**
 * The web `URL` class for the isolate, parsing with the host's WHATWG parser (`host.parseUrl`,
 * one synchronous call per parse). Setters build the new address from the parts and parse it
 * again, so the host's parser decides normalisation; an invalid value leaves the URL unchanged,
 * as the standard says.
 *
 * @example
 * const URL = createUrlClass(host.parseUrl);
 * new URL("../b?x=1", "https://example.com/a/c").href; // "https://example.com/b?x=1"
 */
export function createUrlClass(parseUrl: SluiceHost["parseUrl"]) {
  const parse = (input: unknown, base?: unknown): HostUrlParts | null => {
    const result = parseUrl(String(input), base === undefined ? undefined : String(base));
    return typeof result === "object" && result !== null && result.ok ? result.value : null;
  };

  return class URL {
    #parts: HostUrlParts;
    #searchParams: URLSearchParams | null = null;

    constructor(url: unknown, base?: unknown) {
      const parts = parse(url, base);
      if (!parts) throw new TypeError(`Invalid URL: ${String(url)}`);
      this.#parts = parts;
    }

    static canParse(url: unknown, base?: unknown): boolean {
      return parse(url, base) !== null;
    }

    static parse(url: unknown, base?: unknown): URL | null {
      return URL.canParse(url, base) ? new URL(url, base) : null;
    }

    get href(): string {
      return this.#parts.href;
    }
    set href(value: string) {
      const parts = parse(value);
      if (!parts) throw new TypeError(`Invalid URL: ${String(value)}`);
      this.#replace(parts);
    }

    get origin(): string {
      return this.#parts.origin;
    }

    get protocol(): string {
      return this.#parts.protocol;
    }
    set protocol(value: string) {
      const scheme = /^[A-Za-z][A-Za-z0-9+.-]*/.exec(String(value))?.[0]?.toLowerCase();
      if (!scheme) return;
      const protocol = `${scheme}:`;
      if (SPECIAL_SCHEMES.has(protocol) !== SPECIAL_SCHEMES.has(this.protocol)) return;
      if (protocol === "file:" && (this.username || this.password || this.port)) return;
      if (this.protocol === "file:" && this.hostname === "") return;
      this.#rebuild({ protocol });
    }

    get username(): string {
      return this.#parts.username;
    }
    set username(value: string) {
      if (this.#canHaveCredentials()) this.#rebuild({ username: percentEncode(String(value), isUserinfoByte) });
    }

    get password(): string {
      return this.#parts.password;
    }
    set password(value: string) {
      if (this.#canHaveCredentials()) this.#rebuild({ password: percentEncode(String(value), isUserinfoByte) });
    }

    get host(): string {
      return this.#parts.host;
    }
    set host(value: string) {
      const host = this.#hostPart(String(value));
      if (host === null) return;
      // A host without a port keeps the current port.
      const hasPort = /:[^\]]*$/.test(host);
      this.#rebuild({ host: hasPort || !this.port ? host : `${host}:${this.port}` });
    }

    get hostname(): string {
      return this.#parts.hostname;
    }
    set hostname(value: string) {
      const host = this.#hostPart(String(value));
      if (host === null) return;
      // The standard refuses a hostname with a port rather than dropping the port.
      if (host === "" || /:[^\]]*$/.test(host)) return;
      this.#rebuild({ host: this.port ? `${host}:${this.port}` : host });
    }

    get port(): string {
      return this.#parts.port;
    }
    set port(value: string) {
      if (!this.#canHaveCredentials()) return;
      const text = String(value);
      const digits = /^\d*/.exec(text)![0];
      if (text !== "" && digits === "") return;
      this.#rebuild({ host: digits === "" ? this.hostname : `${this.hostname}:${digits}` });
    }

    get pathname(): string {
      return this.#parts.pathname;
    }
    set pathname(value: string) {
      if (!this.#hasAuthority() && !this.pathname.startsWith("/")) return; // an opaque path (mailto:…)
      let pathname = escapeForPart(value, /[?#]/g);
      const isSpecial = SPECIAL_SCHEMES.has(this.protocol);
      if (this.#hasAuthority() && pathname !== "" && !pathname.startsWith("/") && !(isSpecial && pathname.startsWith("\\")))
        pathname = `/${pathname}`;
      this.#rebuild({ pathname });
    }

    get search(): string {
      return this.#parts.search;
    }
    set search(value: string) {
      const text = String(value);
      const query = text.startsWith("?") ? text.slice(1) : text;
      this.#rebuild({ search: text === "" ? "" : `?${escapeForPart(query, /#/g)}` });
    }

    /** Tied to `search`: changing one changes the other. */
    get searchParams(): URLSearchParams {
      this.#searchParams ??= createLinkedSearchParams(this.search.slice(1), (query) => {
        const parts = parse(this.#build({ search: query === "" ? "" : `?${query}` }));
        if (parts) this.#parts = parts;
      });
      return this.#searchParams;
    }

    get hash(): string {
      return this.#parts.hash;
    }
    set hash(value: string) {
      const text = String(value);
      this.#rebuild({ hash: text === "" ? "" : `#${escapeForPart(text.startsWith("#") ? text.slice(1) : text)}` });
    }

    toString(): string {
      return this.#parts.href;
    }

    toJSON(): string {
      return this.#parts.href;
    }

    get [Symbol.toStringTag](): string {
      return "URL";
    }

    #hasAuthority(): boolean {
      return this.href.startsWith(`${this.protocol}//`);
    }

    #canHaveCredentials(): boolean {
      return this.#hasAuthority() && this.hostname !== "" && this.protocol !== "file:";
    }

    // The host (and port) at the start of a host or hostname setter's value, or null to ignore it.
    #hostPart(value: string): string | null {
      if (!this.#hasAuthority()) return null;
      const host = value.split(SPECIAL_SCHEMES.has(this.protocol) ? /[/?#\\]/ : /[/?#]/)[0]!;
      return host === "" && SPECIAL_SCHEMES.has(this.protocol) ? null : host;
    }

    #build(changes: Partial<Components>): string {
      const { protocol, username, password, host, pathname, search, hash } = { ...this.#parts, ...changes };
      if (!this.#hasAuthority()) {
        // A path starting with "//" would read as a host: the standard writes it as "/.//…".
        return `${protocol}${pathname.startsWith("//") ? `/.${pathname}` : pathname}${search}${hash}`;
      }
      const credentials = username || password ? `${username}${password ? `:${password}` : ""}@` : "";
      return `${protocol}//${credentials}${host}${pathname}${search}${hash}`;
    }

    #rebuild(changes: Partial<Components>): void {
      const parts = parse(this.#build(changes));
      if (parts) this.#replace(parts);
    }

    #replace(parts: HostUrlParts): void {
      this.#parts = parts;
      if (this.#searchParams) updateLinkedSearchParams(this.#searchParams, parts.search.slice(1));
    }
  };
}
