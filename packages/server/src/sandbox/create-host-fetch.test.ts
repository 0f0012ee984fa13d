import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostFetch, type HostFetch, type HostFetchOptions } from "./create-host-fetch.ts";

// Every request goes to a server on 127.0.0.1; host names are mapped to it by a test resolver.
let server: Server;
let port: number;
const drips: Array<{ finish(): void; closed: Promise<unknown> }> = [];
const seen: Array<{ path: string; method: string; headers: IncomingMessage["headers"]; body: string }> = [];

function handle(request: IncomingMessage, response: ServerResponse, body: string): void {
  const url = new URL(request.url ?? "/", "http://x");
  seen.push({ path: url.pathname, method: request.method ?? "", headers: request.headers, body });
  const redirect = (status: number, location: string) => {
    response.writeHead(status, { location });
    response.end();
  };
  switch (url.pathname) {
    case "/hello":
      response.setHeader("content-type", "text/plain");
      response.setHeader("set-cookie", ["a=1", "b=2"]);
      return void response.end(`hello ${request.method} ${body}`);
    case "/redirect":
      return redirect(Number(url.searchParams.get("status") ?? 302), url.searchParams.get("to")!);
    case "/loop":
      return redirect(302, "/loop");
    case "/big":
      response.write("x".repeat(600_000));
      return void response.end("x".repeat(600_000));
    case "/bomb":
      response.setHeader("content-encoding", "gzip");
      return void response.end(gzipSync(Buffer.alloc(5_000_000)));
    case "/gzip":
      response.setHeader("content-encoding", "gzip");
      return void response.end(gzipSync("compressed hello"));
    case "/slow":
      return void setTimeout(() => response.end("late"), 2000).unref();
    case "/bytes":
      response.setHeader("content-type", "application/octet-stream");
      return void response.end(Buffer.from(body, "latin1").reverse());
    case "/drip":
      // One piece now, the rest only when the test says so (or never).
      response.write("first;");
      drips.push({ finish: () => response.end("last"), closed: new Promise((resolve) => response.on("close", resolve)) });
      return;
    default:
      response.statusCode = 404;
      return void response.end("missing");
  }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => handle(request, response, Buffer.concat(chunks).toString(request.url === "/bytes" ? "latin1" : "utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const toLoopback = async () => [{ address: "127.0.0.1", family: 4 }];

function fetcher(options: Partial<HostFetchOptions> = {}) {
  return createHostFetch({
    pluginId: "weather",
    allowedHosts: [`api.test:${port}`, `*.cdn.test:${port}`, `127.0.0.1:${port}`],
    allowPrivateNetwork: true,
    resolve: toLoopback,
    ...options,
  });
}

const get = (url: string, extra: Record<string, unknown> = {}) => ({ url, method: "GET", headers: {}, ...extra });

/** Fetches and reads the whole body as text, as `response.text()` does in a plugin. */
async function fetchText(fetch: HostFetch, request: Parameters<HostFetch>[0], context?: Parameters<HostFetch>[1]) {
  const { body, ...head } = await fetch(request, context);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return { ...head, body: Buffer.concat(chunks).toString("utf8") };
}

describe("createHostFetch", () => {
  it("fetches from a granted host, connecting to the address it checked", async () => {
    const resolved: string[] = [];
    const fetch = fetcher({ resolve: async (hostname) => (resolved.push(hostname), [{ address: "127.0.0.1", family: 4 }]) });
    const response = await fetchText(fetch, {
      url: `http://api.test:${port}/hello`,
      method: "post",
      headers: { "X-Trace": "1", Host: "evil.test" },
      body: "body!",
    });
    expect(response).toMatchObject({ status: 200, body: "hello POST body!", url: `http://api.test:${port}/hello` });
    expect(response.headers["set-cookie"]).toBe("a=1, b=2");
    // "api.test" exists only in the test resolver: the connection used its answer.
    expect(resolved).toEqual(["api.test"]);
    expect(seen.at(-1)!.headers).toMatchObject({ host: `api.test:${port}`, "x-trace": "1" });
    expect((await fetch(get(`http://a.b.cdn.test:${port}/hello`))).status).toBe(200);
    expect((await fetch(get(`http://127.0.0.1:${port}/missing`))).status).toBe(404);
  });

  it("decompresses gzip bodies", async () => {
    expect((await fetchText(fetcher(), get(`http://api.test:${port}/gzip`))).body).toBe("compressed hello");
  });

  it("refuses hosts the plugin was not granted, naming them", async () => {
    const fetch = fetcher();
    await expect(fetch(get(`http://other.test:${port}/hello`))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: `Plugin "weather" may not reach other.test:${port}: its permissions allow api.test:${port}, *.cdn.test:${port}, 127.0.0.1:${port}`,
    });
    await expect(fetch(get(`http://cdn.test:${port}/hello`))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringContaining("may not reach cdn.test"),
    });
    const pending = fetcher({ allowedHosts: [], pendingHosts: [`api.test:${port}`] });
    await expect(pending(get(`http://api.test:${port}/hello`))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: `Plugin "weather" may not reach api.test:${port} yet: an admin has not approved its network:api.test:${port} permission`,
    });
    await expect(fetcher({ allowedHosts: [] })(get("https://api.test/"))).rejects.toMatchObject({
      message: 'Plugin "weather" may not reach api.test: it has no network permission',
    });
    await expect(fetch(get("file:///etc/passwd"))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: 'Plugin "weather" may fetch only http and https URLs, not file',
    });
    await expect(fetch(get("not a url"))).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("covers only ports 443 and 80 with a grant that names no port, and only the named port with one", async () => {
    const before = seen.length;
    const plain = fetcher({ allowedHosts: ["api.test", "*.cdn.test"] });
    await expect(plain(get(`http://api.test:${port}/hello`))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: `Plugin "weather" may not reach api.test:${port}: its permissions allow api.test, *.cdn.test`,
    });
    await expect(plain(get(`http://a.cdn.test:${port}/hello`))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    const otherPort = fetcher({ allowedHosts: [`api.test:${port === 1 ? 2 : port - 1}`] });
    await expect(otherPort(get(`http://api.test:${port}/hello`))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(otherPort(get("https://api.test/"))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect(seen.length).toBe(before); // nothing was sent
    expect((await fetcher({ allowedHosts: [`api.test:${port}`] })(get(`http://api.test:${port}/hello`))).status).toBe(200);
  });

  it("refuses IPv6 addresses that embed a non-public IPv4 address, literal or resolved", async () => {
    const before = seen.length;
    for (const address of ["::7f00:1", "::ffff:0:7f00:1", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "::a9fe:a9fe"]) {
      const url = `http://[${address}]:${port}/hello`;
      const literal = createHostFetch({ pluginId: "weather", allowedHosts: [new URL(url).host] }); // granted, as URL normalises it
      await expect(literal(get(url)), url).rejects.toMatchObject({
        code: "PERMISSION_DENIED",
        message: expect.stringContaining("a loopback, private, link-local or reserved address"),
      });
      const resolved = createHostFetch({
        pluginId: "weather",
        allowedHosts: [`api.test:${port}`],
        resolve: async () => [{ address, family: 6 }],
      });
      await expect(resolved(get(`http://api.test:${port}/hello`))).rejects.toMatchObject({
        code: "PERMISSION_DENIED",
        message: expect.stringContaining("it resolves to"),
      });
    }
    expect(seen.length).toBe(before);
  });

  it("refuses loopback, private and link-local addresses after resolving, unless allowed", async () => {
    const before = seen.length;
    const strict = fetcher({ allowPrivateNetwork: false });
    await expect(strict(get(`http://api.test:${port}/hello`))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringMatching(/^Plugin "weather" may not reach api.test: it resolves to 127\.0\.0\.1, a loopback, private/),
    });
    await expect(strict(get(`http://127.0.0.1:${port}/hello`))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    const metadata = createHostFetch({
      pluginId: "weather",
      allowedHosts: ["*.internal.test"],
      resolve: async () => [{ address: "169.254.169.254", family: 4 }],
    });
    await expect(metadata(get("http://meta.internal.test/latest/"))).rejects.toMatchObject({
      message: expect.stringContaining("169.254.169.254"),
    });
    expect(seen.length).toBe(before); // nothing was sent
  });

  it("follows redirects, checking every hop, and refuses one to a private address", async () => {
    const fetch = fetcher();
    const followed = await fetchText(fetch, {
      url: `http://api.test:${port}/redirect?status=303&to=/hello`,
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect(followed).toMatchObject({ status: 200, body: "hello GET ", url: `http://api.test:${port}/hello` });

    // A cross-host hop drops credentials.
    await fetch(get(`http://api.test:${port}/redirect?to=http://127.0.0.1:${port}/hello`, { headers: { authorization: "Bearer secret" } }));
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();

    await expect(fetch(get(`http://api.test:${port}/redirect?to=http://evil.test/`))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringContaining("may not reach evil.test"),
    });

    // Here 127.0.0.1 counts as public and 127.0.0.2 as private: the second hop is refused before any request.
    const publicOnly = fetcher({
      allowPrivateNetwork: false,
      isAddressAllowed: (address) => address === "127.0.0.1",
      allowedHosts: [`127.0.0.1:${port}`, `127.0.0.2:${port}`],
    });
    const before = seen.length;
    await expect(publicOnly(get(`http://127.0.0.1:${port}/redirect?to=http://127.0.0.2:${port}/hello`))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringContaining(`may not reach 127.0.0.2: it resolves to 127.0.0.2`),
    });
    expect(seen.slice(before).map((request) => request.path)).toEqual(["/redirect"]);

    await expect(fetch(get(`http://api.test:${port}/loop`))).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: expect.stringMatching(/more than 5 redirects/),
    });
  });

  it("caps the body as it streams in, compressed or not", async () => {
    const fetch = fetcher({ maxBytes: 1_000_000 });
    await expect(fetchText(fetch, get(`http://api.test:${port}/big`))).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: `ctx.fetch: the response from api.test:${port} is larger than 1000000 bytes`,
    });
    await expect(fetchText(fetch, get(`http://api.test:${port}/bomb`))).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("times out, and stops when the call's signal aborts", async () => {
    const started = performance.now();
    await expect(fetcher({ timeoutMs: 200 })(get(`http://api.test:${port}/slow`))).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: `ctx.fetch to api.test:${port} timed out after 200 ms`,
    });
    expect(performance.now() - started).toBeLessThan(1500);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("The hook call has ended")), 50);
    await expect(fetcher()(get(`http://api.test:${port}/slow`), { signal: controller.signal })).rejects.toMatchObject({
      code: "PLUGIN_ERROR",
      message: expect.stringContaining("was stopped"),
    });
  });

  it("sends a binary body as bytes and hands back the binary answer unchanged", async () => {
    const sent = Uint8Array.from({ length: 256 }, (_, index) => index);
    const { body } = await fetcher()({ url: `http://api.test:${port}/bytes`, method: "POST", headers: {}, body: sent });
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
    expect([...Buffer.concat(chunks)]).toEqual([...sent].reverse());
  });

  it("answers with the head while the body still streams: the time limit covers the head only, the idle limit the body", async () => {
    const { body } = await fetcher({ timeoutMs: 100, idleTimeoutMs: 60_000 })(get(`http://api.test:${port}/drip`));
    const reader = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    expect(Buffer.from((await reader.next()).value!).toString()).toBe("first;");
    const rest = reader.next();
    // Past the 100 ms limit, which applied only until the head arrived.
    await new Promise((resolve) => setTimeout(resolve, 250));
    drips.at(-1)!.finish();
    expect(Buffer.from((await rest).value!).toString()).toBe("last");
    expect((await reader.next()).done).toBe(true);

    const idle = await fetcher({ idleTimeoutMs: 150 })(get(`http://api.test:${port}/drip`));
    const stalled = drips.at(-1)!;
    const idleReader = (idle.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await idleReader.next();
    await expect(idleReader.next()).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: `ctx.fetch: api.test:${port} sent nothing for 150 ms`,
    });
    await stalled.closed;
  });

  it("closes the connection when the call's signal aborts while the body streams, or the reader stops", async () => {
    const controller = new AbortController();
    const { body } = await fetcher()(get(`http://api.test:${port}/drip`), { signal: controller.signal });
    const dripping = drips.at(-1)!;
    const reader = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await reader.next();
    const pending = reader.next();
    controller.abort(new Error("The hook call has ended"));
    await expect(pending).rejects.toMatchObject({ code: "PLUGIN_ERROR", message: expect.stringContaining("was stopped") });
    await dripping.closed;

    const stopped = await fetcher()(get(`http://api.test:${port}/drip`));
    const stoppedDrip = drips.at(-1)!;
    await (stopped.body as AsyncIterableIterator<Uint8Array>).return!();
    await stoppedDrip.closed;
  });
});
