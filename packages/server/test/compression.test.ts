import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import os from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { buildApp } from "../src/http/app.ts";
import { createWebAppRoutes } from "../src/http/routes/web-app.ts";
import { type AppServices, closeServices, createServices } from "../src/services.ts";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startServer, TEST_SECRET_KEY, type RunningServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request whose answer is read as it came over the wire (fetch would undo the compression). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: options.method ?? "GET", headers: options.headers }, (response) => {
      const pieces: Buffer[] = [];
      response.on("data", (piece: Buffer) => pieces.push(piece));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(pieces) }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

describe("the web UI's files, compressed", () => {
  const script = Buffer.from(`export const words = ${JSON.stringify("a tide of words ".repeat(4000))};\n`);
  let database: TestDatabase;
  let services: AppServices;
  let webDir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    services = await createServices(loadConfig({ DATA_DIR: database.dataDir, WEBUI_SECRET_KEY: TEST_SECRET_KEY, LOG_LEVEL: "silent" }));
    webDir = await mkdtemp(path.join(os.tmpdir(), "sluice-web-"));
    await mkdir(path.join(webDir, "assets"));
    await writeFile(path.join(webDir, "index.html"), "<!doctype html><title>Sluice</title>");
    await writeFile(path.join(webDir, "assets", "index-abc123.js"), script);
    app = buildApp(services, { routes: [createWebAppRoutes(webDir)] });
  });

  afterAll(async () => {
    await app?.close();
    if (services) await closeServices(services);
    await database?.drop();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  it("sends a script with brotli, or gzip, to browsers that accept them, and as it is to others", async () => {
    const url = "/assets/index-abc123.js";
    const plain = await app.inject({ method: "GET", url });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.rawPayload.equals(script)).toBe(true);

    const brotli = await app.inject({ method: "GET", url, headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(brotli.headers["content-type"]).toMatch(/javascript/);
    expect(brotli.headers["cache-control"]).toContain("immutable");
    expect(brotli.rawPayload.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(brotli.rawPayload).equals(script)).toBe(true);

    const gzip = await app.inject({ method: "GET", url, headers: { "accept-encoding": "gzip" } });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.rawPayload).equals(script)).toBe(true);
  });
});

describe("API answers and streamed chat answers", () => {
  let upstream: FakeUpstream;
  let server: RunningServer;
  let admin: TestAccount;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    server = await startServer({ kind: "sqlite", env: { OPENAI_API_BASE_URL: upstream.baseUrl } });
    admin = await signUpAdmin(server.url);
  });

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it("sends a JSON answer compressed to a client that accepts it, and as it is to one that does not", async () => {
    // A model list long enough to be worth compressing: a function with a long description.
    const content = `/**\n * title: Wordy\n * description: ${"a tide of words ".repeat(200)}\n */\nimport { definePipe } from "@sluice/sdk";\nexport default definePipe({ pipe: () => "ok" });\n`;
    const created = await rawRequest(`${server.url}/api/v1/functions/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "wordy", name: "Wordy", content }),
    });
    expect(created.status, created.body.toString()).toBe(200);
    const url = `${server.url}/api/v1/functions/`;
    const plain = await rawRequest(url, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const listed = JSON.parse(plain.body.toString());
    expect(listed.map((row: { id: string }) => row.id)).toEqual(["wordy"]);

    const gzip = await rawRequest(url, { headers: { authorization: `Bearer ${admin.token}`, "accept-encoding": "gzip" } });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gzip.headers["content-type"]).toMatch(/^application\/json/);
    expect(gzip.body.length).toBeLessThan(plain.body.length / 4);
    expect(JSON.parse(gunzipSync(gzip.body).toString())).toEqual(listed);
  });

  it("streams a chat answer uncompressed, chunk by chunk, even to a client that accepts compression", async () => {
    const streamed = await rawRequest(`${server.url}/api/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json", "accept-encoding": "gzip, br" },
      body: JSON.stringify({ model: "fake-small", stream: true, messages: [{ role: "user", content: "hello there" }] }),
    });
    expect(streamed.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(streamed.headers["content-encoding"]).toBeUndefined();
    expect(streamed.body.toString()).toContain('"content":" hello there"');
    expect(streamed.body.toString()).toContain("data: [DONE]");
  });
});
