import { percentDecode, percentEncode } from "./percent-encoding.ts";
import { decodeUtf8 } from "./utf8.ts";

type SearchParamsInit = string | Iterable<readonly [unknown, unknown]> | Record<string, unknown> | null | undefined;

// application/x-www-form-urlencoded keeps only ASCII letters, digits and *-._ as they are.
const isFormSafe = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) ||
  (byte >= 0x41 && byte <= 0x5a) ||
  (byte >= 0x61 && byte <= 0x7a) ||
  byte === 0x2a ||
  byte === 0x2d ||
  byte === 0x2e ||
  byte === 0x5f;

function parseQuery(query: string): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const [name, value] = equals === -1 ? [part, ""] : [part.slice(0, equals), part.slice(equals + 1)];
    list.push([decodeFormPart(name), decodeFormPart(value)]);
  }
  return list;
}

function decodeFormPart(text: string): string {
  return decodeUtf8(percentDecode(text.replaceAll("+", " "))).text;
}

const encodeFormPart = (text: string): string => percentEncode(text, (byte) => !isFormSafe(byte), true);

let attachToUrl: (params: URLSearchParams, onChange: (query: string) => void) => void;
let replaceFromUrl: (params: URLSearchParams, query: string) => void;

/**
 * The web `URLSearchParams`, installed in the isolate by `installGlobals` when missing. The one a
 * `URL` returns as `searchParams` stays in step with the URL's `search`.
 *
 * @example
 * const params = new URLSearchParams("q=caf%C3%A9&page=2");
 * params.get("q"); // "café"
 * params.set("page", "3");
 * params.toString(); // "q=caf%C3%A9&page=3"
 */
export class URLSearchParams {
  #list: Array<[string, string]> = [];
  #onChange: ((query: string) => void) | null = null;

  // Private access for the URL class of create-url-class.ts, which is the only caller.
  static {
    attachToUrl = (params, onChange) => {
      params.#onChange = onChange;
    };
    replaceFromUrl = (params, query) => {
      params.#list = parseQuery(query);
    };
  }

  get [Symbol.toStringTag](): string {
    return "URLSearchParams";
  }

  constructor(init: SearchParamsInit = "") {
    if (init === null || init === undefined) return;
    if (typeof init === "object" && typeof (init as Iterable<unknown>)[Symbol.iterator] === "function") {
      for (const pair of init as Iterable<readonly unknown[]>) {
        if (typeof pair !== "object" || pair === null || [...pair].length !== 2)
          throw new TypeError("URLSearchParams: each pair must have exactly two items");
        const [name, value] = [...pair];
        this.#list.push([String(name), String(value)]);
      }
    } else if (typeof init === "object") {
      for (const [name, value] of Object.entries(init)) this.#list.push([name, String(value)]);
    } else {
      const query = String(init);
      this.#list = parseQuery(query.startsWith("?") ? query.slice(1) : query);
    }
  }

  get size(): number {
    return this.#list.length;
  }

  append(name: unknown, value: unknown): void {
    this.#list.push([String(name), String(value)]);
    this.#update();
  }

  /** Removes every pair named `name` (only those with `value` too, when given). */
  delete(name: unknown, value?: unknown): void {
    const [key, match] = [String(name), value === undefined ? undefined : String(value)];
    this.#list = this.#list.filter(([entryName, entryValue]) => entryName !== key || (match !== undefined && entryValue !== match));
    this.#update();
  }

  get(name: unknown): string | null {
    const key = String(name);
    return this.#list.find(([entryName]) => entryName === key)?.[1] ?? null;
  }

  getAll(name: unknown): string[] {
    const key = String(name);
    return this.#list.filter(([entryName]) => entryName === key).map(([, value]) => value);
  }

  has(name: unknown, value?: unknown): boolean {
    const [key, match] = [String(name), value === undefined ? undefined : String(value)];
    return this.#list.some(([entryName, entryValue]) => entryName === key && (match === undefined || entryValue === match));
  }

  /** Sets the first pair named `name` to `value` and removes the others (or appends one). */
  set(name: unknown, value: unknown): void {
    const [key, text] = [String(name), String(value)];
    const index = this.#list.findIndex(([entryName]) => entryName === key);
    if (index === -1) this.#list.push([key, text]);
    else {
      this.#list[index] = [key, text];
      this.#list = this.#list.filter(([entryName], position) => position <= index || entryName !== key);
    }
    this.#update();
  }

  /** Sorts by name (UTF-16 code units), keeping the order of pairs with the same name. */
  sort(): void {
    this.#list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.#update();
  }

  forEach(callback: (value: string, name: string, params: URLSearchParams) => void, thisArgument?: unknown): void {
    for (const [name, value] of [...this.#list]) callback.call(thisArgument, value, name, this);
  }

  *keys(): IterableIterator<string> {
    for (const [name] of [...this.#list]) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of [...this.#list]) yield value;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const [name, value] of [...this.#list]) yield [name, value];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  toString(): string {
    return this.#list.map(([name, value]) => `${encodeFormPart(name)}=${encodeFormPart(value)}`).join("&");
  }

  #update(): void {
    this.#onChange?.(this.toString());
  }
}

/**
 * A `URLSearchParams` tied to a URL: `onChange` gets the new query after each change.
 *
 * @example
 * const params = createLinkedSearchParams("a=1", (query) => setQuery(query));
 */
export function createLinkedSearchParams(query: string, onChange: (query: string) => void): URLSearchParams {
  const params = new URLSearchParams();
  replaceFromUrl(params, query);
  attachToUrl(params, onChange);
  return params;
}

/**
 * Replaces the pairs of a linked `URLSearchParams` after its URL's query changed, without calling
 * back.
 *
 * @example
 * updateLinkedSearchParams(params, "a=2");
 */
export function updateLinkedSearchParams(params: URLSearchParams, query: string): void {
  replaceFromUrl(params, query);
}
