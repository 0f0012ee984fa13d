import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { LOCALHOST_CERTIFICATE, LOCALHOST_KEY } from "./helpers/localhost-tls.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, point 2: Python plugins use many HTTP clients besides requests (httpx, aiohttp, the
// openai package, http.client). Their sockets are relayed through the host's network policy, so
// they work inside the process's own network namespace, TLS stays the plugin's (certificates
// checked against the real name), and a wait on the network does not count against the call's
// time limit (PLUGIN_TIMEOUT_MS is 1000 here; /slow answers after 1500 ms).

const SLOW_MS = 1500;
const BIG_BYTES = 3 * 1024 * 1024;

const syncClients = (plain: number, tls: number) => `"""
title: Socket clients
permissions: network:localhost:${plain}, network:localhost:${tls}
"""
import http.client
import json
import ssl


def attempt(work):
    try:
        return work()
    except Exception as error:
        return f"{type(error).__name__}: {error}"


class Pipe:
    def pipe(self, body: dict) -> dict:
        facts = json.loads(body["messages"][-1]["content"])

        def get(port, path, context=None):
            if context is None:
                connection = http.client.HTTPConnection("localhost", port, timeout=10)
            else:
                connection = http.client.HTTPSConnection("localhost", port, context=context, timeout=10)
            connection.request("GET", path)
            return connection.getresponse().read().decode()

        def keep_alive():
            connection = http.client.HTTPConnection("localhost", facts["plain"], timeout=10)
            answers = []
            for via in ("first", "second"):
                connection.request("GET", f"/hello?via={via}")
                answers.append(connection.getresponse().read().decode())
            return answers

        trusted = ssl.create_default_context(cadata=facts["ca"])
        return {
            "plain": attempt(lambda: get(facts["plain"], "/hello?via=http.client")),
            "tls": attempt(lambda: get(facts["tls"], "/hello?via=tls", trusted)),
            "untrusted": attempt(lambda: get(facts["tls"], "/hello", ssl.create_default_context())),
            "keepAlive": attempt(keep_alive),
            "big": attempt(lambda: len(get(facts["plain"], "/big"))),
            "slow": attempt(lambda: get(facts["plain"], "/slow")),
            "refused": attempt(lambda: get(facts["other"], "/")),
        }
`;

const asyncClients = (plain: number, tls: number) => `"""
title: Asyncio clients
permissions: network:localhost:${plain}, network:localhost:${tls}
"""
import asyncio
import json
import ssl


async def get(port, path, context=None):
    reader, writer = await asyncio.open_connection("localhost", port, ssl=context)
    writer.write(f"GET {path} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data.decode().split("\\r\\n\\r\\n", 1)[1]


async def attempt(work):
    try:
        return await work
    except Exception as error:
        return f"{type(error).__name__}: {error}"


class Pipe:
    async def pipe(self, body: dict) -> dict:
        facts = json.loads(body["messages"][-1]["content"])
        trusted = ssl.create_default_context(cadata=facts["ca"])
        together = await asyncio.gather(*(get(facts["plain"], f"/hello?via=task{n}") for n in range(5)))
        return {
            "plain": await attempt(get(facts["plain"], "/hello?via=asyncio")),
            "tls": await attempt(get(facts["tls"], "/hello?via=asyncio-tls", trusted)),
            "together": together,
            "slow": await attempt(get(facts["plain"], "/slow")),
            "refused": await attempt(get(facts["other"], "/")),
        }
`;

describe("Python plugins' own sockets, relayed through the host", () => {
  let fake: FakeUpstream;
  let plain: http.Server;
  let secure: https.Server;
  let other: http.Server;
  const seen: string[] = [];
  const env: Record<string, string> = { PLUGIN_ALLOW_PRIVATE_NETWORK: "true", PLUGIN_TIMEOUT_MS: "1000" };

  const answer = (request: http.IncomingMessage, response: http.ServerResponse, scheme: string) => {
    seen.push(`${scheme} ${request.url}`);
    if (request.url === "/slow") {
      setTimeout(() => response.end("slow done"), SLOW_MS);
      return;
    }
    if (request.url === "/big") {
      response.end("x".repeat(BIG_BYTES));
      return;
    }
    response.end(`hello ${new URL(request.url ?? "/", "http://x").searchParams.get("via")}`);
  };
  const listen = (server: http.Server | https.Server) =>
    new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));

  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
    plain = http.createServer((request, response) => answer(request, response, "http"));
    secure = https.createServer({ cert: LOCALHOST_CERTIFICATE, key: LOCALHOST_KEY }, (request, response) =>
      answer(request, response, "https"),
    );
    other = http.createServer((request, response) => answer(request, response, "other"));
    await Promise.all([listen(plain), listen(secure), listen(other)]);
  });
  afterAll(async () => {
    await fake?.close();
    for (const server of [plain, secure, other]) {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
  });

  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;
  let user: TestAccount;

  const portOf = (server: http.Server | https.Server) => (server.address() as AddressInfo).port;
  const facts = () => JSON.stringify({ plain: portOf(plain), tls: portOf(secure), other: portOf(other), ca: LOCALHOST_CERTIFICATE });

  const approve = async (id: string, content: string) => {
    const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const approved = await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token)).body.is_active).toBe(true);
  };
  const ask = async (model: string) => {
    const reply = await sluice.api.post("/api/chat/completions", { model, messages: [{ role: "user", content: facts() }] }, user.token);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return JSON.parse(reply.body.choices[0].message.content);
  };

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
  });

  it("carries http.client over plain TCP and TLS (verified against the real name), keeps connections alive, and refuses what the plugin may not reach", async () => {
    await approve("socket_clients", syncClients(portOf(plain), portOf(secure)));
    const report = await ask("socket_clients");
    expect(report.plain).toBe("hello http.client");
    expect(report.tls).toBe("hello tls");
    expect(report.untrusted).toMatch(/^SSLCertVerificationError: .*self[- ]signed certificate/);
    expect(report.keepAlive).toEqual(["hello first", "hello second"]);
    expect(report.big).toBe(BIG_BYTES);
    // Longer than PLUGIN_TIMEOUT_MS, spent waiting on the network: not the plugin's time.
    expect(report.slow).toBe("slow done");
    expect(report.refused).toBe(
      `ConnectionRefusedError: [Errno 111] Plugin "socket_clients" may not reach localhost:${portOf(other)}: ` +
        `its permissions allow localhost:${portOf(plain)}, localhost:${portOf(secure)}`,
    );
    expect(seen).not.toContain("other /");
    expect(seen).toEqual(expect.arrayContaining(["http /hello?via=http.client", "https /hello?via=tls", "http /slow", "http /big"]));
  });

  it("carries asyncio connections (what aiohttp and httpx use), TLS and several at once included", async () => {
    await approve("asyncio_clients", asyncClients(portOf(plain), portOf(secure)));
    const report = await ask("asyncio_clients");
    expect(report.plain).toBe("hello asyncio");
    expect(report.tls).toBe("hello asyncio-tls");
    expect(report.together).toEqual(["hello task0", "hello task1", "hello task2", "hello task3", "hello task4"]);
    expect(report.slow).toBe("slow done");
    expect(report.refused).toContain(
      `ConnectionRefusedError: [Errno 111] Plugin "asyncio_clients" may not reach localhost:${portOf(other)}`,
    );
  });

  it("still times out a call that spends its own time, with connections open", async () => {
    await approve(
      "busy_after_connect",
      `"""
title: Busy after connect
permissions: network:localhost:${portOf(plain)}
"""
import http.client
import json


class Pipe:
    def pipe(self, body: dict) -> str:
        facts = json.loads(body["messages"][-1]["content"])
        connection = http.client.HTTPConnection("localhost", facts["plain"], timeout=10)
        connection.request("GET", "/hello?via=busy")
        connection.getresponse().read()
        while True:
            pass
`,
    );
    const reply = await sluice.api.post(
      "/api/chat/completions",
      { model: "busy_after_connect", messages: [{ role: "user", content: facts() }] },
      user.token,
    );
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(reply.body)).toMatch(/1000 ms/);
    // The server and the other plugins carry on.
    expect((await ask("asyncio_clients")).plain).toBe("hello asyncio");
  });
});
