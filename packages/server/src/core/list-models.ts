import type { RequestFacts } from "@sluice/sdk";
import type { ChatModel } from "@sluice/sdk/wire";
import type { CatalogModel, ModelPorts } from "./resolve-model.ts";
import { isVisible, pipeBase, settingsOf, upstreamBase, type BaseModel } from "./resolve-model.ts";
import { modelPluginLister } from "./model-plugins.ts";
import { pipeModels } from "./pipe-models.ts";
import type { PluginPort, PluginSession, TurnUser } from "./ports.ts";

/** Every model the user can chat with: upstream models, pipe models, and custom models on top of them. */
export async function listCatalog(ports: ModelPorts, session: PluginSession, user: TurnUser): Promise<CatalogModel[]> {
  const bases: BaseModel[] = (await ports.gateway.listModels()).map(upstreamBase);
  for (const record of (await ports.pluginStore.listFunctions()).filter((fn) => fn.type === "pipe" && fn.is_active)) {
    try {
      for (const entry of await pipeModels(session, record, ports.log)) bases.push(pipeBase(record, entry));
    } catch (error) {
      ports.log.warn({ pluginId: record.id, err: error }, "pipe models left out of the list");
    }
  }
  const rows = new Map((await ports.models.listModels()).map((row) => [row.id, row]));
  const byId = new Map(bases.map((base) => [base.id, base]));
  const catalog: CatalogModel[] = [];
  for (const base of bases) {
    const row = rows.get(base.id);
    if (row?.base_model_id) continue; // a custom model that shadows a base id is listed below
    if (!isVisible(user, row)) continue;
    catalog.push({ ...base, name: row?.name || base.name, row, settings: settingsOf(row) });
  }
  for (const row of rows.values()) {
    if (!row.base_model_id || !isVisible(user, row)) continue;
    const base = byId.get(row.base_model_id);
    if (!base) continue;
    catalog.push({ ...base, id: row.id, name: row.name || base.name, created: row.created_at, row, settings: settingsOf(row) });
  }
  return catalog;
}

/** `GET /api/models`: the user's models, each with its action buttons and toggleable filters. */
export async function listChatModels(
  ports: ModelPorts & { plugins: PluginPort },
  user: TurnUser,
  requestFacts?: RequestFacts,
): Promise<{ object: "list"; data: ChatModel[] }> {
  const noEvents = { emit: async () => {}, call: async () => null, canCall: false };
  const session = ports.plugins.open({ user, metadata: { user_id: user.id }, events: noEvents, requestFacts });
  try {
    const catalog = await listCatalog(ports, session, user);
    const pluginsOf = await modelPluginLister(ports.pluginStore, session);
    return {
      object: "list",
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
  } finally {
    session.release();
  }
}
