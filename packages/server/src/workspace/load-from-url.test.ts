import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candidateUrls, loadFromUrl, nameFromUrl } from "./load-from-url.ts";

describe("candidateUrls", () => {
  it("turns a GitHub blob URL into the raw file", () => {
    expect(candidateUrls("https://github.com/acme/plugins/blob/main/filters/turn_limit.ts")).toEqual([
      "https://raw.githubusercontent.com/acme/plugins/refs/heads/main/filters/turn_limit.ts",
    ]);
  });

  it("turns a GitHub tree URL into the folder's entry files, index.ts first", () => {
    const urls = candidateUrls("https://github.com/acme/plugins/tree/dev/pipes/echo");
    expect(urls[0]).toBe("https://raw.githubusercontent.com/acme/plugins/refs/heads/dev/pipes/echo/index.ts");
    expect(urls).toContain("https://raw.githubusercontent.com/acme/plugins/refs/heads/dev/pipes/echo/main.py");
  });

  it("leaves other URLs alone", () => {
    expect(candidateUrls("https://example.com/a/b.ts")).toEqual(["https://example.com/a/b.ts"]);
  });
});

describe("nameFromUrl", () => {
  it("uses the file name, or the folder for entry files", () => {
    expect(nameFromUrl("https://example.com/x/turn_limit.ts")).toBe("turn_limit");
    expect(nameFromUrl("https://raw.githubusercontent.com/a/b/refs/heads/main/pipes/echo/index.ts")).toBe("echo");
    expect(nameFromUrl("https://example.com/main.py")).toBe("plugin");
  });
});

describe("loadFromUrl against a server on loopback", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === "/plugins/echo.ts") return response.end("export default 1;\n");
      if (request.url === "/empty.ts") return response.end("   ");
      if (request.url === "/big.ts") return response.end("x".repeat(5000));
      if (request.url === "/moved.ts") {
        response.writeHead(302, { location: "/plugins/echo.ts" });
        return response.end();
      }
      if (request.url === "/secret.ts") {
        response.statusCode = 403;
        return response.end("no");
      }
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The server is on loopback: these tests allow private addresses, as PLUGIN_ALLOW_PRIVATE_NETWORK=true does.
  const allowed = { allowPrivateNetwork: true };

  it("returns the name and content, following redirects", async () => {
    expect(await loadFromUrl(`${base}/plugins/echo.ts`, allowed)).toEqual({ name: "echo", content: "export default 1;\n" });
    expect((await loadFromUrl(`${base}/moved.ts`, allowed)).content).toBe("export default 1;\n");
  });

  it("passes the remote status on and refuses empty or oversized files", async () => {
    await expect(loadFromUrl(`${base}/missing.ts`, allowed)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(loadFromUrl(`${base}/secret.ts`, allowed)).rejects.toMatchObject({ code: "UPSTREAM_ERROR", details: { status: 403 } });
    await expect(loadFromUrl(`${base}/empty.ts`, allowed)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(loadFromUrl(`${base}/big.ts`, { ...allowed, maxBytes: 1000 })).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("refuses loopback, private and metadata addresses unless they are allowed", async () => {
    await expect(loadFromUrl(`${base}/plugins/echo.ts`)).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringContaining("127.0.0.1"),
    });
    await expect(loadFromUrl(`http://localhost:${new URL(base).port}/plugins/echo.ts`)).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
    });
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/x.ts",
      "http://10.0.0.1/x.ts",
      "http://0.0.0.0/x.ts",
      "http://[::ffff:127.0.0.1]/x.ts",
    ]) {
      await expect(loadFromUrl(url), url).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    }
  });

  it("refuses URLs that are not http(s)", async () => {
    await expect(loadFromUrl("file:///etc/passwd")).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(loadFromUrl("not a url")).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});
