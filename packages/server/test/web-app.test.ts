import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { buildApp } from "../src/http/app.ts";
import { registerAuthRoutes } from "../src/http/routes/auths.ts";
import { registerConfigRoutes } from "../src/http/routes/config.ts";
import { registerHealthRoutes } from "../src/http/routes/health.ts";
import { createWebAppRoutes } from "../src/http/routes/web-app.ts";
import { type AppServices, closeServices, createServices } from "../src/services.ts";
import { TEST_SECRET_KEY } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

const INDEX_HTML = "<!doctype html><title>Sluice</title><div id=root></div>";

describe("web UI serving", () => {
  let database: TestDatabase;
  let services: AppServices;
  let webDir: string;
  let built: FastifyInstance;
  let unbuilt: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    services = await createServices(loadConfig({ DATA_DIR: database.dataDir, WEBUI_SECRET_KEY: TEST_SECRET_KEY, LOG_LEVEL: "silent" }));
    webDir = await mkdtemp(path.join(os.tmpdir(), "sluice-web-"));
    await mkdir(path.join(webDir, "assets"));
    await writeFile(path.join(webDir, "index.html"), INDEX_HTML);
    await writeFile(path.join(webDir, "assets", "index-abc123.js"), "console.log('app')");
    await writeFile(path.join(webDir, "robots.txt"), "User-agent: *");
    const apiRoutes = [registerHealthRoutes, registerConfigRoutes, registerAuthRoutes];
    built = buildApp(services, { routes: [...apiRoutes, createWebAppRoutes(webDir)] });
    unbuilt = buildApp(services, { routes: [...apiRoutes, createWebAppRoutes(path.join(webDir, "missing"))] });
  });

  afterAll(async () => {
    await built?.close();
    await unbuilt?.close();
    if (services) await closeServices(services);
    await database?.drop();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  it("serves index.html at / and at every page path, never cached, with a script policy", async () => {
    for (const url of ["/", "/c/1234", "/workspace/functions/turn_limit", "/admin/users?tab=pending"]) {
      const response = await built.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toBe(INDEX_HTML);
      expect(response.headers["content-type"]).toMatch(/^text\/html/);
      expect(response.headers["cache-control"]).toBe("no-cache");
      expect(response.headers["content-security-policy"]).toContain("script-src 'self'");
    }
  });

  it("serves the embed frame sandboxed by its own policy, so an embed never shares the page's origin", async () => {
    const response = await built.inject({ method: "GET", url: "/embed-frame.html" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    const policy = String(response.headers["content-security-policy"]);
    expect(policy).toMatch(/(^|; )sandbox allow-scripts(;|$)/);
    expect(policy).not.toContain("allow-same-origin");
    expect(policy).toContain("frame-ancestors 'self'");
    expect(response.body).toContain("sluice:embed-ready");
  });

  it("serves built files, hashed assets cached for a year", async () => {
    const asset = await built.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe("console.log('app')");
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.headers["cache-control"]).toContain("immutable");
    const robots = await built.inject({ method: "GET", url: "/robots.txt" });
    expect(robots.body).toBe("User-agent: *");
  });

  it("never shadows the API: unknown API paths stay JSON 404s and API routes answer", async () => {
    for (const url of ["/api/nope", "/api/v1/nope", "/api", "/health/nope", "/ws/socket.io/x"]) {
      const response = await built.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().detail).toContain("Not found");
    }
    expect((await built.inject({ method: "GET", url: "/health" })).json()).toEqual({ status: true });
    expect((await built.inject({ method: "POST", url: "/c/1234" })).statusCode).toBe(404);
  });

  it("answers a missing file with 404 and keeps requests inside the build folder", async () => {
    expect((await built.inject({ method: "GET", url: "/logo.png" })).statusCode).toBe(404);
    expect((await built.inject({ method: "GET", url: "/assets/gone-999.js" })).statusCode).toBe(404);
    const escape = await built.inject({ method: "GET", url: "/..%2F..%2F..%2Fetc%2Fpasswd" });
    expect(escape.body).not.toContain("root:");
  });

  it("without a build, runs the API and says how to build at /", async () => {
    const page = await unbuilt.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain("npm run build --workspace packages/web");
    expect((await unbuilt.inject({ method: "GET", url: "/health" })).json()).toEqual({ status: true });
  });

  it("tells the sign-in page whether anyone has an account yet", async () => {
    const before = (await built.inject({ method: "GET", url: "/api/config" })).json();
    expect(before).toMatchObject({ name: "Sluice", has_users: false, default_user_role: "pending" });
    expect(before.version).toMatch(/^\d+\.\d+\.\d+/);
    const signUp = await built.inject({
      method: "POST",
      url: "/api/v1/auths/signup",
      payload: { name: "Ada", email: "ada@example.com", password: "password1" },
    });
    expect(signUp.statusCode).toBe(200);
    expect((await built.inject({ method: "GET", url: "/api/config" })).json().has_users).toBe(true);
  });
});
