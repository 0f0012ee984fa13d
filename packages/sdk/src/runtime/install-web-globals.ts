import { atob, btoa } from "./base64.ts";
import { createUrlClass } from "./create-url-class.ts";
import { Blob, File, FormData } from "./form-data.ts";
import { TextDecoder } from "./text-decoder.ts";
import { TextEncoder } from "./text-encoder.ts";
import type { SluiceHost } from "./types.ts";
import { URLSearchParams } from "./url-search-params.ts";

/**
 * Installs on `target` the web APIs a bare V8 context lacks and plugins (and zod's `z.url()`,
 * `z.base64()`, `z.jwt()`) expect: `TextEncoder`/`TextDecoder` (UTF-8), `atob`/`btoa`,
 * `URLSearchParams`, `Blob`, `File` and `FormData` (for `ctx.fetch` bodies), and `URL` over `host.parseUrl`. Each only when missing, so a context that
 * has its own (Node, a browser) keeps it. Called by `installGlobals`.
 *
 * @example
 * installWebGlobals(host, globalThis);
 * new URL("https://example.com/a").pathname; // "/a"
 */
export function installWebGlobals(host: SluiceHost, target: Record<string, unknown>): void {
  const globals: Record<string, unknown> = { TextEncoder, TextDecoder, atob, btoa, URLSearchParams, Blob, File, FormData };
  if (typeof host.parseUrl === "function") globals.URL = createUrlClass((input, base) => host.parseUrl(input, base));
  for (const [name, value] of Object.entries(globals)) {
    if (target[name] === undefined) Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
  }
}
