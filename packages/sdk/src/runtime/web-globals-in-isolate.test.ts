import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import ivm from "isolated-vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostResult, HostUrlParts } from "./types.ts";

// The web globals installWebGlobals adds, checked where they matter: a bare V8 isolate running the
// runtime bundle, with parseUrl answered by Node's URL through a synchronous callback as the
// sandbox does.

const PLUGIN_SOURCE = `
import { definePipe, z } from "@sluice/sdk";

const Attachment = z.object({ link: z.url(), secure: z.url({ protocol: /^https$/ }), data: z.base64(), token: z.jwt() });

export default definePipe({
  valves: z.object({ endpoint: z.url().default("https://api.example.com/v1") }),
  pipe(body, ctx) {
    const url = new URL("search?q=caf%C3%A9", ctx.valves.endpoint + "/");
    url.searchParams.append("page", "2");
    url.hash = "results";
    const bytes = new TextEncoder().encode(body.messages[0].content);
    const valid = Attachment.safeParse({ link: "https://example.com/a", secure: "https://example.com", data: btoa("hi"), token: body.token });
    const invalid = Attachment.safeParse({ link: "nope", secure: "http://example.com", data: "***", token: "x.y" });
    return {
      globals: [typeof TextEncoder, typeof TextDecoder, typeof URL, typeof URLSearchParams, typeof atob, typeof btoa].join(),
      href: url.href,
      host: url.host,
      query: url.searchParams.get("q"),
      params: String(new URLSearchParams({ a: "1 2", b: "é" })),
      byteLength: bytes.length,
      roundTrip: new TextDecoder().decode(bytes),
      base64: btoa(String.fromCharCode(...bytes)),
      decoded: new TextDecoder().decode(Uint8Array.from(atob(btoa(String.fromCharCode(...bytes))), (c) => c.charCodeAt(0))),
      valid: valid.success,
      invalidPaths: invalid.success ? [] : invalid.error.issues.map((issue) => issue.path.join(".")),
      canParse: [URL.canParse("https://x"), URL.canParse("x")],
      error: (() => { try { new URL("not a url"); return null; } catch (error) { return error.constructor.name + ": " + error.message; } })(),
    };
  },
});
`;

function parseUrl(input: string, base?: string): HostResult<HostUrlParts> {
  if (!URL.canParse(input, base)) return { ok: false, error: { code: "INVALID_INPUT", message: "Invalid URL" } };
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = new URL(input, base);
  return { ok: true, value: { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } };
}

const HOST_SOURCE = `
globalThis.__sluice_host = {
  emit: async () => ({ ok: true, value: null }),
  call: async () => ({ ok: true, value: null }),
  fetch: async () => ({ ok: false, error: { code: "PERMISSION_DENIED", message: "no network" } }),
  log: () => {},
  sleep: async () => ({ ok: true, value: null }),
  randomBytes: (length) => new Array(length).fill(7),
  parseUrl: (input, base) => $0(input, base),
};
`;

let isolate: ivm.Isolate;
let context: ivm.Context;

beforeAll(async () => {
  const build = (options: esbuild.BuildOptions) =>
    esbuild.build({ bundle: true, write: false, platform: "neutral", target: "es2022", logLevel: "silent", ...options });
  const runtime = await build({
    entryPoints: [fileURLToPath(new URL("./index.ts", import.meta.url))],
    format: "iife",
    globalName: "__sluice_runtime",
    mainFields: ["module", "main"],
  });
  const plugin = await build({ stdin: { contents: PLUGIN_SOURCE, loader: "ts" }, format: "cjs", external: ["@sluice/sdk", "zod"] });
  isolate = new ivm.Isolate({ memoryLimit: 128 });
  context = await isolate.createContext();
  await context.evalClosure(HOST_SOURCE, [new ivm.Callback(parseUrl)]);
  await context.eval(runtime.outputFiles![0]!.text, { timeout: 5_000 });
  await context.eval(`__sluice_runtime.registerPlugin(function (module, exports, require) {\n${plugin.outputFiles![0]!.text}\n})`, {
    timeout: 5_000,
  });
});

afterAll(() => isolate?.dispose());

const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl";

describe("web globals in a real isolate", () => {
  it("gives plugins URL, URLSearchParams, TextEncoder/TextDecoder and atob/btoa, and zod's url, base64 and jwt checks", async () => {
    const request = {
      invocationId: "inv-1",
      hook: "pipe",
      payload: { model: "m", messages: [{ role: "user", content: "Grüße 🎉" }], token: JWT },
      context: {
        id: "p",
        user: { id: "u1", name: "Ada", email: "ada@example.com", role: "user" },
        valves: {},
        userValves: {},
        metadata: {},
        canCall: false,
      },
    };
    const result = await context.evalClosure("return __sluice_runtime.invokeHook($0)", [request], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
      timeout: 5_000,
    });
    expect(result).toEqual({
      ok: true,
      value: {
        globals: "function,function,function,function,function,function",
        href: "https://api.example.com/v1/search?q=caf%C3%A9&page=2#results",
        host: "api.example.com",
        query: "café",
        params: "a=1+2&b=%C3%A9",
        byteLength: 12,
        roundTrip: "Grüße 🎉",
        base64: Buffer.from("Grüße 🎉").toString("base64"),
        decoded: "Grüße 🎉",
        valid: true,
        invalidPaths: ["link", "secure", "data", "token"],
        canParse: [true, false],
        error: "TypeError: Invalid URL: not a url",
      },
    });
  });

  it("validates z.url() valves inside the isolate", async () => {
    const check = (values: unknown) =>
      context.evalClosure(`return __sluice_runtime.validateValves("valves", $0)`, [values], {
        arguments: { copy: true },
        result: { copy: true },
      });
    expect(await check({ endpoint: "https://llm.internal:8443/v1" })).toMatchObject({
      ok: true,
      stored: { endpoint: "https://llm.internal:8443/v1" },
    });
    expect(await check({ endpoint: "api.example.com" })).toEqual({ ok: false, issues: [{ path: "endpoint", message: "Invalid URL" }] });
  });
});
