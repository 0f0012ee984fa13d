import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { loadPlugin, type LoadPluginOptions, type LoadedPlugin } from "./load-plugin.ts";
import { PluginRegistry } from "./plugin-registry.ts";

// ctx.fetch end to end: frontmatter permissions → grant → the sandbox's checked fetch → a server on loopback.

const logger = pino({ level: "silent" });
const loadedPlugins: LoadedPlugin[] = [];
let server: Server;
let base: string;
// The loopback server's host and port, as a permission names it (a grant without a port covers 443 and 80 only).
let granted: string;

beforeAll(async () => {
  server = createServer((request, response) =>
    response.end(JSON.stringify({ path: request.url, agent: request.headers["user-agent"] ?? null })),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  granted = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${granted}`;
});
afterAll(() => {
  for (const loaded of loadedPlugins) loaded.sandbox.dispose();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const toolSource = (permissions: string) => `/**
 * title: Fetcher
 * permissions: ${permissions}
 */
import { defineTools, z } from "@sluice/sdk";
export default defineTools({
  tools: {
    get: {
      description: "Fetches a URL",
      parameters: z.object({ url: z.string() }),
      async execute({ url }, ctx) {
        try {
          const response = await ctx.fetch(url);
          return { status: response.status, body: await response.json() };
        } catch (error) {
          return { code: error.code, message: error.message };
        }
      },
    },
  },
});
`;

async function load(source: string, options: Partial<LoadPluginOptions> = {}): Promise<LoadedPlugin> {
  const loaded = await loadPlugin(source, { pluginId: "fetcher", logger, ...options });
  loadedPlugins.push(loaded);
  return loaded;
}

const context = {
  id: "fetcher",
  user: { id: "u1", name: "Ada", email: "a@example.com", role: "user" },
  valves: {},
  userValves: {},
  metadata: {},
  canCall: false,
};
const fetchThrough = (loaded: LoadedPlugin, url: string) =>
  loaded.sandbox.invoke({ hook: "tool", toolName: "get", payload: { url }, context });

describe("ctx.fetch by permission", () => {
  it("reaches a granted host when private addresses are allowed", async () => {
    const loaded = await load(toolSource(`network:${granted}`), { network: { allowPrivateNetwork: true } });
    expect(loaded.permissions).toEqual({ requested: [`network:${granted}`], granted: [`network:${granted}`] });
    expect(await fetchThrough(loaded, `${base}/items?q=1`)).toEqual({
      ok: true,
      value: { status: 200, body: { path: "/items?q=1", agent: null } },
    });
  });

  it("refuses loopback by default, and hosts outside the permissions, inside the plugin", async () => {
    const loaded = await load(toolSource(`network:${granted}, network:*.example.com`));
    expect(await fetchThrough(loaded, `${base}/items`)).toMatchObject({
      ok: true,
      value: {
        code: "PERMISSION_DENIED",
        message: expect.stringContaining('Plugin "fetcher" may not reach 127.0.0.1: it resolves to 127.0.0.1'),
      },
    });
    expect(await fetchThrough(loaded, "https://example.org/")).toMatchObject({
      value: {
        code: "PERMISSION_DENIED",
        message: `Plugin "fetcher" may not reach example.org: its permissions allow ${granted}, *.example.com`,
      },
    });
  });

  it("a tool gets no network until its permissions are granted", async () => {
    const waiting = await load(toolSource(`network:${granted}`), { expectedNamespace: "tool", network: { allowPrivateNetwork: true } });
    expect(waiting.permissions).toEqual({ requested: [`network:${granted}`], granted: [] });
    expect(await fetchThrough(waiting, `${base}/`)).toMatchObject({
      value: { code: "PERMISSION_DENIED", message: expect.stringContaining("an admin has not approved") },
    });
    const approved = await load(toolSource(`network:${granted}`), {
      expectedNamespace: "tool",
      grant: "requested",
      network: { allowPrivateNetwork: true },
    });
    expect(await fetchThrough(approved, `${base}/`)).toMatchObject({ value: { status: 200 } });
  });

  it("the registry loads a tool with the grant stored on its row, and again when it changes", async () => {
    const registry = new PluginRegistry({ logger, network: { allowPrivateNetwork: true } });
    try {
      const content = toolSource(`network:${granted}`);
      const row = { id: "fetcher", content, content_hash: "h1", meta: { permissions: { requested: [`network:${granted}`], granted: [] } } };
      const before = await registry.get("tool", row);
      expect(before.permissions.granted).toEqual([]);
      expect(await registry.get("tool", row)).toBe(before);
      const after = await registry.get("tool", {
        ...row,
        meta: { permissions: { requested: [`network:${granted}`], granted: [`network:${granted}`] } },
      });
      expect(after).not.toBe(before);
      expect(await fetchThrough(after, `${base}/`)).toMatchObject({ value: { status: 200 } });
    } finally {
      registry.dispose();
    }
  });

  it("refuses a port the grant does not name", async () => {
    const loaded = await load(toolSource("network:127.0.0.1"), { network: { allowPrivateNetwork: true } });
    expect(await fetchThrough(loaded, `${base}/items`)).toMatchObject({
      value: { code: "PERMISSION_DENIED", message: `Plugin "fetcher" may not reach ${granted}: its permissions allow 127.0.0.1` },
    });
  });

  it("refuses bad permission entries, and the trusted tier until an admin approved it, at load", async () => {
    await expect(load(toolSource("network:https://x.example.com"))).rejects.toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      pluginId: "fetcher",
    });
    await expect(load(toolSource("network:*.co.uk"))).rejects.toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringContaining('permissions: "network:*.co.uk" is not valid: co.uk is a public suffix'),
    });
    await expect(load(toolSource("node"))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringMatching(/trusted tier/),
    });
  });
});
