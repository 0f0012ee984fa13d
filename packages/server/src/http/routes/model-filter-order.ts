import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { filterOrder } from "../../core/resolve-filters.ts";
import { settingsOf } from "../../core/resolve-model.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireAdmin } from "../request-user.ts";

const modelQuery = z.object({ id: z.string().min(1, "id is required: pass ?id=<model id>") });

/**
 * `GET /api/v1/models/model/filters?id={model id}` (admins): the filters that run for the model, in
 * the order they run (global filters and the model's `filterIds`, by `priority` valve, then id),
 * computed by the chat pipeline's own selection. A model without a settings row gets the global ones.
 */
export function registerModelFilterOrderRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/api/v1/models/model/filters", async (request) => {
    const admin = requireAdmin(request);
    const { id } = parseInput(modelQuery, request.query);
    const ports = services.turn;
    const row = await ports.models.findModel(id);
    const noEvents = { emit: async () => {}, call: async () => null, canCall: false };
    const session = ports.plugins.open({ user: admin, metadata: { user_id: admin.id }, events: noEvents });
    try {
      return { model_id: id, filters: await filterOrder(ports, session, settingsOf(row).filterIds) };
    } finally {
      session.release();
    }
  });
}
