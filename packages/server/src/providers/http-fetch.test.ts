import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "./http-fetch.ts";

describe("httpFetch against a server on loopback", () => {
  let server: http.Server;
  let base: string;
  const received: { method?: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (piece) => (body += piece));
      request.on("end", () => {
        received.push({ method: request.method, body, headers: request.headers });
        if (request.url === "/gzip") {
          response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
          response.end(zlib.gzipSync(JSON.stringify({ answer: "unpacked" })));
        } else if (request.url === "/moved") {
          response.writeHead(307, { location: "/echo" });
          response.end();
        } else if (request.url === "/slow-stream") {
          response.writeHead(200, { "content-type": "text/event-stream" });
          response.write("data: first\n\n");
          // Never ends: the reader aborts.
        } else if (request.url === "/silent") {
          // Never answers.
        } else if (request.url === "/missing") {
          response.writeHead(404, { "content-type": "application/json" });
          response.end(JSON.stringify({ error: { message: "no such model" } }));
        } else {
          response.writeHead(200, { "content-type": "application/json", "x-upstream": "yes" });
          response.end(JSON.stringify({ method: request.method, body }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("posts a body and gives the status, headers and body as fetch does", async () => {
    const response = await httpFetch(`${base}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer k" },
      body: '{"é":1}',
    });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get("x-upstream")).toBe("yes");
    expect(await response.json()).toEqual({ method: "POST", body: '{"é":1}' });
    expect(received.at(-1)!.headers.authorization).toBe("Bearer k");
  });

  it("unpacks a compressed body", async () => {
    const response = await httpFetch(`${base}/gzip`);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(await response.json()).toEqual({ answer: "unpacked" });
  });

  it("follows a redirect", async () => {
    const response = await httpFetch(`${base}/moved`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(await response.json()).toEqual({ method: "POST", body: "{}" });
  });

  it("gives an error status with its body", async () => {
    const response = await httpFetch(`${base}/missing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { message: "no such model" } });
  });

  it("fails as fetch fails when nothing listens, with the reason in cause", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await httpFetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(((failure as Error).cause as Error).message).toContain("ECONNREFUSED");
  });

  it("throws the signal's reason from the body when aborted while it is read", async () => {
    const controller = new AbortController();
    const response = await httpFetch(`${base}/slow-stream`, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: first\n\n");
    const reason = new Error("the client left");
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
  });

  it("gives up on a connection that stays silent, before the headers or in the body", async () => {
    const silent = await httpFetch(`${base}/silent`, { idleTimeoutMs: 200 }).catch((error: unknown) => error);
    expect(silent).toBeInstanceOf(TypeError);
    expect(((silent as Error).cause as Error).message).toBe("no data for 0.2 s");
    const response = await httpFetch(`${base}/slow-stream`, { idleTimeoutMs: 200 });
    const reader = response.body!.getReader();
    await reader.read();
    await expect(reader.read()).rejects.toThrow("no data for 0.2 s");
  });

  it("throws the signal's reason when aborted before an answer", async () => {
    const reason = new Error("stopped");
    await expect(httpFetch(`${base}/echo`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
