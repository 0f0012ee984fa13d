import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, point 2: a Python plugin's process runs as another OS user when the server runs as
// root (as the trusted tier does), and its requests go through the host's network policy; where
// the kernel allows, in a network namespace of its own, so it cannot connect around that policy.

const isRoot = process.getuid?.() === 0;
/** Whether this machine lets the server give a process a network namespace of its own. */
const canUnshare = (() => {
  try {
    execFileSync(
      "unshare",
      isRoot ? ["--net", "--setgid", "65534", "--setuid", "65534", "--", "true"] : ["--user", "--map-current-user", "--net", "--", "true"],
    );
    return true;
  } catch {
    return false;
  }
})();

const DISK_PIPE = `"""
title: Disk reach
"""
import os
import sqlite3


def attempt(work):
    try:
        return work()
    except Exception as error:
        return type(error).__name__


def take_over():
    db = sqlite3.connect("../../sluice.db")
    db.execute("UPDATE user SET role = 'admin'")
    db.commit()
    return "OPENED"


def write(where):
    with open(where, "w") as file:
        file.write("x")
    return "WROTE"


class Pipe:
    def pipe(self, body: dict) -> dict:
        count = int(attempt(lambda: open("count.txt").read()) if os.path.exists("count.txt") else 0) + 1
        write("count.txt")
        with open("count.txt", "w") as file:
            file.write(str(count))
        return {
            "uid": os.getuid(),
            "count": count,
            "database": attempt(take_over),
            "dataDir": attempt(lambda: write("../../stolen.txt")),
            "plugins": attempt(lambda: write("../stolen.txt")),
            "list": attempt(lambda: os.listdir("../..")),
            "signal": attempt(lambda: os.kill(os.getppid(), 0) or "SENT"),
        }
`;

const networkPipe = (allowed: string) => `"""
title: Network reach
permissions: network:${allowed}
"""
import socket
import urllib.request
import requests


def attempt(work):
    try:
        return work()
    except Exception as error:
        return f"{type(error).__name__}: {error}"


class Pipe:
    def pipe(self, body: dict) -> dict:
        allowed, other = body["messages"][-1]["content"].split(" ")
        kernel_connect = socket.socket.connect.__globals__["_real_connect"]

        def kernel_socket():
            raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            raw.settimeout(3)
            kernel_connect(raw, (allowed.split(":")[0], int(allowed.split(":")[1])))
            return "CONNECTED"

        return {
            "kernelSocket": attempt(kernel_socket),
            "requests": attempt(lambda: requests.get(f"http://{allowed}/hello?via=requests", timeout=5).text),
            "stream": attempt(lambda: [line.decode() for line in requests.get(f"http://{allowed}/lines", stream=True).iter_lines()]),
            "post": attempt(lambda: requests.post(f"http://{allowed}/echo", json={"a": 1}).json()),
            "urllib": attempt(lambda: urllib.request.urlopen(f"http://{allowed}/hello?via=urllib").read().decode()),
            "refused": attempt(lambda: requests.get(f"http://{other}/hello", timeout=5).text),
            "socket": attempt(lambda: socket.create_connection(tuple([allowed.split(":")[0], int(allowed.split(":")[1])]), timeout=3) and "CONNECTED"),
            "socketRefused": attempt(lambda: socket.create_connection(tuple([other.split(":")[0], int(other.split(":")[1])]), timeout=3) and "CONNECTED"),
        }
`;

const RUNTIME_PIPE = `"""
title: Runtime location
"""
import os
import sys
import open_webui
import sluice_network


class Pipe:
    def pipe(self, body: dict) -> dict:
        script = os.path.abspath(sys.argv[0])
        return {
            "script": script,
            "shims": os.path.abspath(open_webui.__file__),
            "network": os.path.abspath(sluice_network.__file__),
            "writable": os.access(script, os.W_OK),
        }
`;

describe("the Python tier's confinement", () => {
  let fake: FakeUpstream;
  let target: http.Server;
  let other: http.Server;
  /** Requests the loopback test servers saw, by path. */
  const seen: string[] = [];
  let rawConnections = 0;
  const env: Record<string, string> = { PLUGIN_ALLOW_PRIVATE_NETWORK: "true", LOG_LEVEL: "info" };

  const listen = (server: http.Server) =>
    new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));

  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
    target = http.createServer((request, response) => {
      seen.push(request.url ?? "");
      if (request.url === "/lines") {
        response.writeHead(200, { "content-type": "text/plain" });
        response.write("one\n");
        setTimeout(() => response.end("two\n"), 50);
        return;
      }
      if (request.url === "/echo") {
        let text = "";
        request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        request.on("end", () => {
          response.writeHead(200, { "content-type": "application/json" });
          response.end(JSON.stringify({ got: JSON.parse(text), type: request.headers["content-type"] }));
        });
        return;
      }
      response.writeHead(200, { "content-type": "text/plain" });
      response.end(`hello ${new URL(request.url ?? "/", "http://x").searchParams.get("via")}`);
    });
    target.on("connection", () => (rawConnections += 1));
    other = http.createServer((request, response) => {
      seen.push(`other ${request.url}`);
      response.end("other");
    });
    await Promise.all([listen(target), listen(other)]);
  });
  afterAll(async () => {
    await fake?.close();
    await new Promise((resolve) => target?.close(resolve));
    await new Promise((resolve) => other?.close(resolve));
  });

  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;
  let user: TestAccount;

  const approve = async (id: string, content: string) => {
    const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const approved = await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.load_error ?? null).toBeNull();
    expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token)).body.is_active).toBe(true);
  };
  const ask = async (model: string, content: string) => {
    const answer = await sluice.api.post("/api/chat/completions", { model, messages: [{ role: "user", content }] }, user.token);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return JSON.parse(answer.body.choices[0].message.content);
  };

  it("runs as another OS user when the server is root: its folder is its own, the database and DATA_DIR are not", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    await approve("disk_reach", DISK_PIPE);
    const first = await ask("disk_reach", "go");
    const second = await ask("disk_reach", "go");
    expect(second.count).toBe(first.count + 1);
    const folder = path.join(sluice.server.dataDir, "plugins", "disk_reach");
    if (isRoot) {
      // As the trusted tier: nobody (65534) by default.
      expect(first).toEqual({
        uid: 65534,
        count: 1,
        database: "OperationalError",
        dataDir: "PermissionError",
        plugins: "PermissionError",
        list: "PermissionError",
        signal: "PermissionError",
      });
      expect(fs.statSync(folder).uid).toBe(65534);
      expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
    } else {
      expect(first.uid).toBe(process.getuid?.());
    }
    expect(fs.existsSync(path.join(sluice.server.dataDir, "stolen.txt"))).toBe(false);
    expect(fs.existsSync(path.join(sluice.server.dataDir, "plugins", "stolen.txt"))).toBe(false);
    const me = await sluice.api.get("/api/v1/auths/", user.token);
    expect(me.body.role).toBe("user");
    for (const file of ["sluice.db", "sluice.db-wal"]) expect(fs.statSync(path.join(sluice.server.dataDir, file)).mode & 0o777).toBe(0o600);
  });

  it("runs its runtime and shims from a read-only copy in DATA_DIR, not from the server's source tree", async () => {
    await approve("runtime_location", RUNTIME_PIPE);
    const report = await ask("runtime_location", "where");
    const copies = path.join(fs.realpathSync(sluice.server.dataDir), "python-tier");
    const runtime = path.dirname(report.script);
    expect(path.dirname(runtime)).toBe(copies);
    expect(path.basename(runtime)).toMatch(/^runtime-[0-9a-f]{16}$/);
    expect(path.basename(report.script)).toBe("sluice_runtime.py");
    expect(report.shims).toBe(path.join(runtime, "shims", "open_webui", "__init__.py"));
    expect(report.network).toBe(path.join(runtime, "shims", "sluice_network.py"));
    if (isRoot) expect(report.writable).toBe(false);
    expect(fs.statSync(path.join(runtime, "sluice_runtime.py")).mode & 0o777).toBe(0o444);
  });

  it("lets an Open WebUI plugin pasted as it is (no permissions line) reach hosts, and says so on approval", async () => {
    const pasted = `"""
title: Pasted proxy
author: someone
version: 0.1.0
"""
import requests


class Pipe:
    def pipe(self, body: dict) -> str:
        try:
            return requests.get("http://" + body["messages"][-1]["content"] + "/?via=pasted", timeout=5).text
        except requests.exceptions.ConnectionError as error:
            return str(error)
`;
    const created = await sluice.api.post("/api/v1/functions/create", { id: "pasted_proxy", name: "Pasted", content: pasted }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const approved = await sluice.api.post("/api/v1/functions/id/pasted_proxy/permissions/approve", {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.notices.join(" ")).toContain("may reach any host on the internet");
    expect((await sluice.api.post("/api/v1/functions/id/pasted_proxy/toggle", undefined, admin.token)).body.is_active).toBe(true);
    const allowed = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "pasted_proxy", messages: [{ role: "user", content: allowed }] },
      user.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // Granted any public host on the web's ports (80, 443): the test's loopback server on another
    // port is refused by the policy itself, naming the grant, not for a missing permission.
    expect(answer.body.choices[0].message.content).toBe(`Plugin "pasted_proxy" may not reach ${allowed}: its permissions allow *`);
    expect(seen).not.toContain("/?via=pasted");
  });

  it("sends requests, urllib and sockets through the host's network policy, and cannot connect around it", async () => {
    const allowed = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    const refusedHost = `127.0.0.1:${(other.address() as AddressInfo).port}`;
    await approve("net_reach", networkPipe(allowed));
    rawConnections = 0;
    const report = await ask("net_reach", `${allowed} ${refusedHost}`);
    expect(report.requests).toBe("hello requests");
    expect(report.stream).toEqual(["one", "two"]);
    expect(report.post).toEqual({ got: { a: 1 }, type: "application/json" });
    expect(report.urllib).toBe("hello urllib");
    // The policy's own refusal, as a requests error the plugin can catch.
    expect(report.refused).toBe(`ConnectionError: Plugin "net_reach" may not reach ${refusedHost}: its permissions allow ${allowed}`);
    expect(seen.filter((entry) => entry.startsWith("other"))).toEqual([]);
    // A raw socket is relayed through the same policy (python-sockets.test.ts tries the clients).
    expect(report.socket).toBe("CONNECTED");
    expect(report.socketRefused).toBe(
      `ConnectionRefusedError: [Errno 111] Plugin "net_reach" may not reach ${refusedHost}: its permissions allow ${allowed}`,
    );
    if (canUnshare) {
      // Its own network namespace: the kernel's own connect, around the relay, reaches nothing.
      expect(report.kernelSocket).toMatch(/^(ConnectionRefusedError|OSError)/);
      // The four requests above and the socket, each made by the host.
      expect(rawConnections).toBe(5);
    } else {
      // Without a namespace of its own, a plugin that goes around the relay connects itself (and the server warned).
      expect(report.kernelSocket).toBe("CONNECTED");
      expect(rawConnections).toBe(6);
      await vi.waitFor(() => expect(sluice.server.output()).toContain("Python plugins share this server's network"), {
        timeout: 10_000,
        interval: 50,
      });
    }
  });
});
