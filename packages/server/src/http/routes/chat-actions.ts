import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requestFactsOf } from "../request-facts.ts";
import { requireVerified } from "../request-user.ts";
import { messagesBodySchema } from "../../core/messages-body.ts";
import { runAction } from "../../core/run-action.ts";
import { runLegacyOutlet } from "../../core/run-legacy-outlet.ts";

/** `POST /api/chat/actions/{id}` and the legacy outlet `POST /api/chat/completed`. */
export function registerChatActionRoutes(app: FastifyInstance, services: AppServices): void {
  app.post("/api/chat/actions/:id", async (request) => {
    const user = requireVerified(request);
    const { id } = parseInput(z.object({ id: z.string().min(1) }), request.params);
    return runAction(services.turn, user, id, parseInput(messagesBodySchema, request.body), requestFactsOf(request));
  });

  app.post("/api/chat/completed", async (request) => {
    const user = requireVerified(request);
    return runLegacyOutlet(services.turn, user, parseInput(messagesBodySchema, request.body), requestFactsOf(request));
  });
}
