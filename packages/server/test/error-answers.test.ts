import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { loadConfig } from "../src/config.ts";
import { buildApp } from "../src/http/app.ts";
import { registerHealthRoutes } from "../src/http/routes/health.ts";
import { type AppServices, closeServices, createServices } from "../src/services.ts";
import { TEST_SECRET_KEY } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

/** One error language: every failure answers `{detail, code, …}` with the status of its code. */
describe("error answers", () => {
  let database: TestDatabase;
  let services: AppServices;
  let app: FastifyInstance;
  const logged: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    services = await createServices(loadConfig({ DATA_DIR: database.dataDir, WEBUI_SECRET_KEY: TEST_SECRET_KEY, LOG_LEVEL: "silent" }));
    const errorSpy = services.logger.error.bind(services.logger);
    services.logger.error = ((object: unknown, message?: string) => {
      logged.push(String(message ?? (object as { msg?: string })?.msg ?? ""));
      return errorSpy(object as never, message as never);
    }) as typeof services.logger.error;
    const failing = async (scope: FastifyInstance) => {
      scope.get("/api/test/internal", async () => {
        throw new Error("connection string postgres://admin:hunter2@db");
      });
      scope.get("/api/test/plugin", async () => {
        throw new SluiceError("UNAUTHORIZED", "The weather service refused the key", { pluginId: "weather", hook: "get_weather" });
      });
      scope.post("/api/test/echo", async (request) => request.body ?? {});
    };
    app = buildApp(services, { routes: [registerHealthRoutes, failing] });
  });

  afterAll(async () => {
    await app?.close();
    if (services) await closeServices(services);
    await database?.drop();
  });

  it("answers an unknown route with a code like every other error", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/nothing-here?x=1" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: "Not found: GET /api/v1/nothing-here", code: "NOT_FOUND" });
  });

  it("codes malformed and unsupported bodies", async () => {
    const malformed = await app.inject({
      method: "POST",
      url: "/api/test/echo",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: "INVALID_INPUT", detail: expect.stringContaining("not valid JSON") });
    const xml = await app.inject({
      method: "POST",
      url: "/api/test/echo",
      headers: { "content-type": "application/xml" },
      payload: "<a/>",
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toEqual({ detail: "Unsupported content type; send application/json", code: "UNSUPPORTED_MEDIA_TYPE" });
  });

  it("hides what an unexpected error says, codes it INTERNAL and logs it", async () => {
    const response = await app.inject({ method: "GET", url: "/api/test/internal" });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ detail: "Internal server error", code: "INTERNAL" });
    expect(response.body).not.toContain("hunter2");
    expect(logged).toContain("Internal server error");
  });

  it("never answers 401 for a plugin's error (clients would sign the user out), keeping the plugin's code", async () => {
    const response = await app.inject({ method: "GET", url: "/api/test/plugin" });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      detail: "The weather service refused the key",
      code: "UNAUTHORIZED",
      plugin_id: "weather",
      hook: "get_weather",
    });
  });
});
