import type { FastifyInstance } from "fastify";
import type { AppServices } from "../../services.ts";
import { requireVerified } from "../request-user.ts";
import { requestFactsOf } from "../request-facts.ts";
import { listChatModels } from "../../core/list-models.ts";

/** `GET /api/models`: upstream models, pipe models and custom models, with their actions and toggleable filters. */
export function registerModelListRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/api/models", async (request) => listChatModels(services.turn, requireVerified(request), requestFactsOf(request)));
}
