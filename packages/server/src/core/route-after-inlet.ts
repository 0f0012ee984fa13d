import { SluiceError } from "@sluice/sdk";
import { applyModelParams } from "./apply-model-params.ts";
import type { PluginSession, TurnUser } from "./ports.ts";
import { resolveModel, type CatalogModel, type ModelPorts } from "./resolve-model.ts";

type ModelBody = Record<string, unknown> & { messages: Record<string, unknown>[] };

/**
 * Re-routing, as in Open WebUI: an inlet that sets `body.model` to another model sends the turn
 * there (a vision router picks a model that sees images). The new model is resolved for the user
 * like one they named, but one they may not use (or that does not exist: the two look the same)
 * is FORBIDDEN, since a filter chose it, not them. Its params fill what the body does not set
 * yet and its system prompt goes first (`applyModelParams`); its tools and `ctx.model` follow it.
 * The filters stay those resolved for the model the request named: Open WebUI resolves them once,
 * before the inlet chain, and keeps them for the turn.
 *
 * @example
 * const routed = await routeAfterInlet(ports, session, user, model, { ...body, model: "gpt-4o" });
 * routed.model.id; // "gpt-4o"
 */
export async function routeAfterInlet<Body extends ModelBody>(
  ports: ModelPorts,
  session: PluginSession,
  user: TurnUser,
  model: CatalogModel,
  body: Body,
): Promise<{ model: CatalogModel; body: Body }> {
  const target = body.model;
  if (target === undefined || target === model.id) return { model, body };
  if (typeof target !== "string" || target === "") {
    throw new SluiceError("PLUGIN_ERROR", `An inlet filter set the model to ${JSON.stringify(target)}; set it to a model id (a string)`);
  }
  const routed = await resolveModel(
    ports,
    session,
    user,
    target,
    (id) => new SluiceError("FORBIDDEN", `An inlet filter sent this turn to model "${id}", which is not available to you`),
  );
  return { model: routed, body: applyModelParams(body, routed.row?.params) };
}
