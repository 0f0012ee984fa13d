import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { compilePlugin } from "../../plugins/compile-plugin.ts";
import { parseUrl } from "./parse-url.ts";
import { PluginSandbox } from "./plugin-sandbox.ts";

describe("parseUrl (host capability)", () => {
  it("answers with the parts of Node's WHATWG URL, resolving against a base", () => {
    expect(parseUrl("../b?x=1#h", "https://user:pw@Example.com:8443/a/c")).toEqual({
      ok: true,
      value: {
        href: "https://user:pw@example.com:8443/b?x=1#h",
        origin: "https://example.com:8443",
        protocol: "https:",
        username: "user",
        password: "pw",
        host: "example.com:8443",
        hostname: "example.com",
        port: "8443",
        pathname: "/b",
        search: "?x=1",
        hash: "#h",
      },
    });
  });

  it("fails with a result instead of throwing", () => {
    expect(parseUrl("not a url")).toEqual({ ok: false, error: { code: "INVALID_INPUT", message: "Invalid URL" } });
    expect(parseUrl(`https://example.com/${"a".repeat(3 * 1024 * 1024)}`)).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
  });
});

describe("URL inside a plugin's sandbox", () => {
  let sandbox: PluginSandbox | undefined;
  afterAll(() => sandbox?.dispose());

  it("parses through the host, and zod's z.url() valves work", async () => {
    const { code } = await compilePlugin(`
      import { defineTools, z } from "@sluice/sdk";
      export default defineTools({
        valves: z.object({ endpoint: z.url().default("https://api.example.com") }),
        tools: {
          resolve: {
            description: "Resolves a path against the endpoint",
            parameters: z.object({ path: z.string() }),
            execute: ({ path }, ctx) => {
              const url = new URL(path, ctx.valves.endpoint);
              url.searchParams.set("lang", "fr");
              return { href: url.href, encoded: btoa(String.fromCharCode(...new TextEncoder().encode("é"))) };
            },
          },
        },
      });
    `);
    ({ sandbox } = await PluginSandbox.create(code, { pluginId: "url_tools", host: {}, logger: pino({ level: "silent" }) }));
    const user = { id: "u1", name: "Ada", email: "ada@example.com", role: "user" };
    const result = await sandbox.invoke({
      hook: "tool",
      toolName: "resolve",
      payload: { path: "/v1/items?q=a b" },
      context: { id: "url_tools", user, valves: {}, userValves: {}, metadata: {}, canCall: false },
    });
    expect(result).toEqual({ ok: true, value: { href: "https://api.example.com/v1/items?q=a+b&lang=fr", encoded: "w6k=" } });
    expect(await sandbox.validateValves("valves", { endpoint: "nope" })).toEqual({
      ok: false,
      issues: [{ path: "endpoint", message: "Invalid URL" }],
    });
  });
});
