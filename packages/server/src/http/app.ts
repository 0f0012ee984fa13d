import Fastify, { type FastifyInstance } from "fastify";
import { SluiceError } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import { authenticateRequest } from "./authenticate-request.ts";
import { installErrorHandler } from "./error-handler.ts";
import type { RouteModule } from "./route-module.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "./json-depth.ts";
import { registerCompression } from "./compression.ts";
import { registerAuthRoutes } from "./routes/auths.ts";
import { registerChatActionRoutes } from "./routes/chat-actions.ts";
import { registerChatCompletionRoutes } from "./routes/chat-completions.ts";
import { registerModelListRoutes } from "./routes/models-list.ts";
import { registerChatRoutes } from "./routes/chats.ts";
import { registerChatEventRoutes } from "./routes/chat-events.ts";
import { registerFileRoutes } from "./routes/files.ts";
import { registerFolderRoutes } from "./routes/folders.ts";
import { registerMemoryRoutes } from "./routes/memories.ts";
import { registerConfigRoutes } from "./routes/config.ts";
import { registerConnectionRoutes } from "./routes/connections.ts";
import { registerFunctionRoutes } from "./routes/functions.ts";
import { registerToolRoutes } from "./routes/tools.ts";
import { registerPluginVersionRoutes } from "./routes/plugin-versions.ts";
import { registerPluginPermissionRoutes } from "./routes/plugin-permissions.ts";
import { registerGroupRoutes } from "./routes/groups.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerModelRoutes } from "./routes/models.ts";
import { registerModelFilterOrderRoutes } from "./routes/model-filter-order.ts";
import { registerTaskRoutes } from "./routes/tasks.ts";
import { registerUserRoutes } from "./routes/users.ts";
import { registerWebAppRoutes } from "./routes/web-app.ts";

export type { RouteModule };

/** Every route module of the server, in registration order. Add new ones here. */
export const ROUTE_MODULES: RouteModule[] = [
  registerHealthRoutes,
  registerConfigRoutes,
  registerAuthRoutes,
  registerUserRoutes,
  registerGroupRoutes,
  registerFunctionRoutes,
  registerToolRoutes,
  registerPluginVersionRoutes,
  registerPluginPermissionRoutes,
  registerChatRoutes,
  registerChatEventRoutes,
  registerFolderRoutes,
  registerFileRoutes,
  registerMemoryRoutes,
  registerModelRoutes,
  registerModelFilterOrderRoutes,
  registerModelListRoutes,
  registerConnectionRoutes,
  registerChatCompletionRoutes,
  registerChatActionRoutes,
  registerTaskRoutes,
  // Last: its catch-all GET answers page paths with the web UI.
  registerWebAppRoutes,
];

export interface BuildAppOptions {
  /** Route modules to register instead of {@link ROUTE_MODULES} (tests). */
  routes?: RouteModule[];
}

const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The HTTP application: Fastify with JSON errors, bearer authentication and every route module.
 * It is not listening yet: call `app.listen()`, or `app.inject()` in tests.
 */
export function buildApp(services: AppServices, options: BuildAppOptions = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: services.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Open WebUI's clients call `/api/v1/functions/` with the slash and scripts often without.
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;

  installErrorHandler(app);
  acceptEmptyJsonBodies(app);
  // Every answer that is worth it (JSON, the web UI's files), never a stream of server-sent events.
  registerCompression(app);

  app.decorateRequest("user", null);
  app.decorateRequest("authFailure", null);
  app.addHook("onRequest", async (request) => authenticateRequest(services, request));

  for (const routeModule of options.routes ?? ROUTE_MODULES) {
    app.register(async (scope) => routeModule(scope, services));
  }
  return app;
}

/**
 * Open WebUI's web client sends `Content-Type: application/json` with no body on some POSTs
 * (toggles, deletes); Fastify would refuse those with 400, so an empty body parses as undefined.
 * Bodies nested deeper than {@link MAX_JSON_DEPTH} are refused before parsing (400).
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "ignore");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === "") return done(null, undefined);
    if (exceedsJsonDepth(text)) {
      return done(
        new SluiceError("INVALID_INPUT", `The JSON body is nested too deeply (at most ${MAX_JSON_DEPTH} levels of arrays and objects)`),
        undefined,
      );
    }
    return parseJson(request, text, done);
  });
}
