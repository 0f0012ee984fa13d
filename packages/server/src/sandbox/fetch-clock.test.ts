import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileNodePlugin } from "../plugins/compile-node-plugin.ts";
import { createHostFetch } from "./create-host-fetch.ts";
import type { PluginRunner } from "./plugin-runner.ts";
import { NodePluginSandbox } from "./node-tier/node-plugin-sandbox.ts";
import { sandboxFor, silentLogger, testRequest } from "./sandbox-test-fixtures.ts";

// A hook's time limit counts its own time only: waiting for a response's head or for the next
// chunk of its body does not count, in either tier.

const TIME_LIMIT_MS = 300;
let server: Server;
let base: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-fetch-clock-"));
const sandboxes: PluginRunner[] = [];

beforeAll(async () => {
  // The head after 400 ms, then a piece, then the rest 400 ms later: 800 ms of waiting in all.
  server = createServer((_request, response) => {
    setTimeout(() => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.write("slow ");
      setTimeout(() => response.end("answer"), 400);
    }, 400);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const sandbox of sandboxes) sandbox.dispose();
  server.closeAllConnections();
  server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const source = (permissions: string) => `/**
 * permissions: ${permissions}
 */
import { defineAction } from "@sluice/sdk";
export default defineAction({
  async action(body, ctx) {
    const response = await ctx.fetch(body.url);
    const pieces = [];
    for await (const line of response.lines()) pieces.push(line);
    return { content: pieces.join("") };
  },
});
`;

describe("the call clock while ctx.fetch waits", () => {
  it("does not count in the isolated tier", async () => {
    const fetch = createHostFetch({ pluginId: "test_plugin", allowedHosts: [new URL(base).host], allowPrivateNetwork: true });
    const sandbox = await sandboxFor(source(`network:${new URL(base).host}`), { timeoutMs: TIME_LIMIT_MS, host: { fetch } });
    sandboxes.push(sandbox);
    expect(await sandbox.invoke(testRequest("action", { url: base }), {})).toEqual({ ok: true, value: { content: "slow answer" } });
  });

  it("does not count in the trusted tier", async () => {
    const { code } = await compileNodePlugin(source("node"));
    const { sandbox } = await NodePluginSandbox.create(code, {
      pluginId: "node_plugin",
      dataDir,
      host: {},
      logger: silentLogger,
      timeoutMs: 5000,
    });
    sandboxes.push(sandbox);
    // Loaded with a generous limit (a process start); the call itself gets the tight one.
    expect(await sandbox.invoke(testRequest("action", { url: base }), {}, { timeoutMs: TIME_LIMIT_MS })).toEqual({
      ok: true,
      value: { content: "slow answer" },
    });
  });
});
