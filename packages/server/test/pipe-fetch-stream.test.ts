import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 11, point 1: streaming and binary ctx.fetch, in both tiers, over HTTP with a real server.

/** A pipe that does one thing with ctx.fetch per user message, as plugin authors would write it. */
function probePipe(permissions: string): string {
  return `/**
 * title: Stream probe
 * permissions: ${permissions}
 */
import { definePipe, z } from "@sluice/sdk";
export default definePipe({
  valves: z.object({ baseUrl: z.string().default("") }),
  async *pipe(body, ctx) {
    const mode = body.messages.at(-1).content;
    const base = ctx.valves.baseUrl;
    if (mode === "proxy" || mode === "hang") {
      // A streaming provider pipe: the upstream's server-sent events, token by token.
      const response = await ctx.fetch(base + "/" + mode, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: body.messages, stream: true }),
      });
      for await (const event of response.events()) {
        if (event.data === "[DONE]") return;
        yield JSON.parse(event.data).choices[0].delta.content ?? "";
      }
      return;
    }
    if (mode === "binary") {
      const sent = new Uint8Array(256).map((_, index) => index);
      const response = await ctx.fetch(base + "/reverse", { method: "POST", body: sent.buffer });
      const bytes = await response.bytes();
      yield response.headers.get("content-type") + " " + Array.from(bytes).join(",");
      return;
    }
    if (mode === "upload") {
      const form = new FormData();
      form.append("purpose", "vision");
      form.append("file", new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255])], { type: "image/png" }), "cat.png");
      form.append("params", new URLSearchParams({ q: "café" }).toString());
      yield await (await ctx.fetch(base + "/upload", { method: "POST", body: form })).text();
      return;
    }
    if (mode === "form") {
      yield await (await ctx.fetch(base + "/form", { method: "POST", body: new URLSearchParams({ q: "café", page: "2" }) })).text();
      return;
    }
    const text = await (await ctx.fetch(base + "/" + mode)).text();
    yield "read " + text.length + " characters";
  },
});
`;
}

/** Waits until `check` returns something, each time the server has sent more. */
interface Gate {
  promise: Promise<void>;
  open(): void;
}
function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** The upstream: an HTTP server on loopback whose answers wait for the test where the test needs it. */
interface Upstream {
  url: string;
  /** Opened by the test once it has seen the first token at the client: the "proxy" stream then finishes. */
  release: Gate;
  /** Requests to "/hang" whose connection closed, by the client going away. */
  hangsClosed: number;
  hangsOpened: number;
  received: Array<{ path: string; headers: IncomingMessage["headers"]; body: Buffer }>;
  close(): Promise<void>;
}

const delta = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;

async function startUpstream(): Promise<Upstream> {
  const upstream = {
    release: gate(),
    hangsClosed: 0,
    hangsOpened: 0,
    received: [] as Upstream["received"],
  };
  const answer = async (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    upstream.received.push({ path, headers: request.headers, body });
    switch (path) {
      case "/proxy":
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(": a comment, skipped\n\n");
        response.write(delta("First"));
        await upstream.release.promise;
        response.write(delta(" and"));
        response.write(delta(" last"));
        return void response.end("data: [DONE]\n\n");
      case "/hang":
        upstream.hangsOpened += 1;
        response.on("close", () => (upstream.hangsClosed += 1));
        response.writeHead(200, { "content-type": "text/event-stream" });
        return void response.write(delta("Waiting"));
      case "/reverse":
        response.writeHead(200, { "content-type": "application/octet-stream" });
        return void response.end(Buffer.from(body).reverse());
      case "/upload": {
        const form = await new Request("http://x/", {
          method: "POST",
          headers: { "content-type": request.headers["content-type"]! },
          body,
        }).formData();
        const file = form.get("file") as File;
        const summary = {
          purpose: form.get("purpose"),
          params: form.get("params"),
          file: { name: file.name, type: file.type, bytes: Array.from(new Uint8Array(await file.arrayBuffer())) },
        };
        response.writeHead(200, { "content-type": "application/json" });
        return void response.end(JSON.stringify(summary));
      }
      case "/form":
        response.writeHead(200, { "content-type": "text/plain" });
        return void response.end(`${request.headers["content-type"]} ${body.toString()}`);
      case "/big":
        response.write("x".repeat(60_000));
        return void response.end("x".repeat(60_000));
      case "/stall":
        response.writeHead(200, { "content-type": "text/plain" });
        return void response.write("a start, and then nothing");
      default:
        response.writeHead(404);
        response.end();
    }
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => void answer(request, response, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(upstream, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      upstream.release.open();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Reads a chat completion stream from Sluice: content deltas as they arrive. */
function readDeltas(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const deltas: string[] = [];
  let isDone = false;
  /** Reads until `count` content deltas have arrived (or the stream ends). */
  const until = async (count: number) => {
    while (deltas.length < count && !isDone) {
      const { done, value } = await reader.read();
      if (done) {
        isDone = true;
        break;
      }
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
        const content = JSON.parse(line.slice(6)).choices?.[0]?.delta?.content;
        if (typeof content === "string" && content !== "") deltas.push(content);
      }
    }
    return deltas;
  };
  return { until, deltas, cancel: () => reader.cancel() };
}

// A tighter byte cap and idle limit than the defaults, so the tests reach them quickly.
const env = { PLUGIN_ALLOW_PRIVATE_NETWORK: "true", PLUGIN_FETCH_MAX_BYTES: "100000", PLUGIN_FETCH_IDLE_TIMEOUT_MS: "1500" };

describe.each([
  { tier: "isolated", trusted: false },
  { tier: "trusted (permissions: node)", trusted: true },
])("streaming and binary ctx.fetch in the $tier tier", ({ trusted }) => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(() => upstream?.close());
  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    const permissions = trusted ? "node" : `network:${new URL(upstream.url).host}`;
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "probe", name: "Probe", content: probePipe(permissions) },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    if (trusted) expect((await sluice.api.post("/api/v1/functions/id/probe/permissions/approve", {}, admin.token)).status).toBe(200);
    expect((await sluice.api.post("/api/v1/functions/id/probe/toggle", undefined, admin.token)).body.is_active).toBe(true);
    expect((await sluice.api.post("/api/v1/functions/id/probe/valves/update", { baseUrl: upstream.url }, admin.token)).status).toBe(200);
  });

  const ask = (content: string) =>
    sluice.api.post("/api/chat/completions", { model: "probe", messages: [{ role: "user", content }] }, admin.token);
  const askStreaming = (content: string, signal?: AbortSignal) =>
    fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ model: "probe", messages: [{ role: "user", content }], stream: true }),
      signal,
    });

  it("streams a proxy pipe written with events(): the first token reaches the client while the upstream is still sending", async () => {
    const response = await askStreaming("proxy");
    expect(response.status).toBe(200);
    const stream = readDeltas(response);
    // The upstream holds back the rest until this first token has been seen here.
    expect(await stream.until(1)).toEqual(["First"]);
    upstream.release.open();
    expect((await stream.until(Infinity)).join("")).toBe("First and last");
    expect(JSON.parse(upstream.received.find((request) => request.path === "/proxy")!.body.toString()).stream).toBe(true);
  });

  it("sends bytes and reads bytes back unchanged", async () => {
    const answer = await ask("binary");
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const reversed = Array.from({ length: 256 }, (_, index) => 255 - index);
    expect(answer.body.choices[0].message.content).toBe(`application/octet-stream ${reversed.join(",")}`);
    expect([...upstream.received.find((request) => request.path === "/reverse")!.body]).toEqual([...reversed].reverse());
  });

  it("uploads FormData as multipart, file parts included", async () => {
    const answer = await ask("upload");
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(JSON.parse(answer.body.choices[0].message.content)).toEqual({
      purpose: "vision",
      params: "q=caf%C3%A9",
      file: { name: "cat.png", type: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47, 0, 255] },
    });
    expect(upstream.received.at(-1)!.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
  });

  it("sends URLSearchParams form-encoded", async () => {
    const answer = await ask("form");
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("application/x-www-form-urlencoded;charset=UTF-8 q=caf%C3%A9&page=2");
  });

  it("refuses a response larger than PLUGIN_FETCH_MAX_BYTES", async () => {
    expectError(await ask("big"), 413, `the response from ${new URL(upstream.url).host} is larger than 100000 bytes`);
  });

  it("gives up an upstream that sends nothing for PLUGIN_FETCH_IDLE_TIMEOUT_MS", async () => {
    expectError(await ask("stall"), 502, `${new URL(upstream.url).host} sent nothing for 1500 ms`);
  });

  it("closes the upstream connection when the client goes away", async () => {
    const controller = new AbortController();
    const response = await askStreaming("hang", controller.signal);
    const stream = readDeltas(response);
    expect(await stream.until(1)).toEqual(["Waiting"]);
    expect(upstream.hangsClosed).toBe(0);
    controller.abort();
    await vi.waitFor(() => expect(upstream.hangsClosed).toBe(upstream.hangsOpened), { timeout: 5000 });
  });
});
