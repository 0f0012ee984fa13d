import type { FastifyInstance } from "fastify";
import type { ChatModel } from "@sluice/sdk/wire";
import type { AppServices } from "../../services.ts";
import { requireVerified } from "../request-user.ts";
import { requestFactsOf } from "../request-facts.ts";
import { PluginCaller } from "../../chat/plugin-caller.ts";
import { listCatalog } from "../../chat/model-catalog.ts";
import { modelPluginLister } from "../../chat/model-plugins.ts";

/** `GET /api/models`: upstream models, pipe models and custom models, with their actions and toggleable filters. */
export function registerModelListRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/api/models", async (request) => {
    const user = requireVerified(request);
    const noEvents = { emit: async () => {}, call: async () => null, canCall: false };
    const caller = new PluginCaller(services, {
      user,
      metadata: { user_id: user.id },
      events: noEvents,
      requestFacts: requestFactsOf(request),
    });
    try {
      return await listModels(caller);
    } finally {
      caller.release();
    }
  });

  async function listModels(caller: PluginCaller): Promise<{ object: "list"; data: ChatModel[] }> {
    const catalog = await listCatalog(services, caller);
    const pluginsOf = await modelPluginLister(services, caller);
    return {
      object: "list" as const,
      data: catalog.map((model) => ({
        id: model.id,
        name: model.name,
        object: "model",
        created: model.created,
        owned_by: model.owned_by,
        ...(model.source.kind === "pipe" ? { pipe: { type: "pipe" } } : {}),
        ...(model.row ? { info: { ...model.row, meta: model.row.meta } } : {}),
        ...pluginsOf(model),
      })),
    };
  }
}
