import { describe, expect, it } from "vitest";
import { modelPluginLister } from "./model-plugins.ts";
import { upstreamBase, type CatalogModel, type ModelPluginSettings } from "./resolve-model.ts";
import { functionRecord, InMemoryWorld } from "./testing/in-memory-ports.ts";

function model(settings: Partial<ModelPluginSettings> = {}): CatalogModel {
  const upstream = { id: "gpt-small", name: "gpt-small", owned_by: "openai", connectionIndex: 0, raw: {} };
  return { ...upstreamBase(upstream), settings: { filterIds: [], defaultFilterIds: [], actionIds: [], toolIds: [], ...settings } };
}

const action = { hooks: { action: () => null } };
const toggle = { descriptor: { toggle: true }, hooks: { inlet: (body: unknown) => body } };

async function lister(world: InMemoryWorld) {
  return modelPluginLister(world.ports.pluginStore, world.openSession());
}

describe("modelPluginLister", () => {
  it("shows global actions under every model, and an attached one only under its model", async () => {
    const world = new InMemoryWorld();
    world.addFunction(
      functionRecord("copy", "action", { name: "Copy", is_global: true, meta: { description: "Copy it", manifest: {} } }),
      action,
    );
    world.addFunction(functionRecord("summarize", "action", { name: "Summarize" }), action);
    world.addFunction(functionRecord("off", "action", { is_global: true, is_active: false }), action);
    const pluginsOf = await lister(world);
    expect(pluginsOf(model()).actions).toEqual([{ id: "copy", name: "Copy", description: "Copy it", icon: null }]);
    expect(pluginsOf(model({ actionIds: ["summarize", "off"] })).actions.map((entry) => entry.id)).toEqual(["copy", "summarize"]);
  });

  it("shows one button per entry of an action with several, named after the entry or else the action", async () => {
    const world = new InMemoryWorld();
    world.addFunction(
      functionRecord("translate", "action", { name: "Translate", is_global: true, meta: { description: "", manifest: {}, icon: "t.svg" } }),
      {
        ...action,
        descriptor: {
          actions: [
            { id: "fr", name: "To French", icon_url: "fr.svg" },
            { id: "de", name: "" },
          ],
        },
      },
    );
    expect((await lister(world))(model()).actions).toEqual([
      { id: "translate.fr", name: "To French", description: "", icon: "fr.svg" },
      { id: "translate.de", name: "Translate (de)", description: "", icon: "t.svg" },
    ]);
  });

  it("lists actions and toggle filters by priority, then id", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("b_action", "action", { is_global: true, valves: { priority: 1 } }), action);
    world.addFunction(functionRecord("a_action", "action", { is_global: true, valves: { priority: 1 } }), action);
    world.addFunction(functionRecord("z_action", "action", { is_global: true, valves: { priority: -3 } }), action);
    world.addFunction(functionRecord("late_chip", "filter", { valves: { priority: 9 } }), toggle);
    world.addFunction(functionRecord("early_chip", "filter"), {
      ...toggle,
      descriptor: { toggle: true, valvesSchema: { properties: { priority: { default: 2 } } } },
    });
    const plugins = (await lister(world))(model());
    expect(plugins.actions.map((entry) => entry.id)).toEqual(["z_action", "a_action", "b_action"]);
    expect(plugins.filters.map((entry) => entry.id)).toEqual(["early_chip", "late_chip"]);
  });

  it("shows only toggle filters (global or the model's), saying whether they have user valves", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("always_on", "filter"), { hooks: { inlet: (body) => body } });
    world.addFunction(functionRecord("web_search", "filter", { name: "Web search" }), {
      ...toggle,
      descriptor: { toggle: true, userValvesSchema: { properties: {} } },
    });
    world.addFunction(functionRecord("code_chip", "filter", { is_global: false }), toggle);
    const pluginsOf = await lister(world);
    expect(pluginsOf(model()).filters).toEqual([
      { id: "web_search", name: "Web search", description: "", icon: null, has_user_valves: true },
    ]);
    expect(pluginsOf(model({ filterIds: ["code_chip"] })).filters.map((entry) => [entry.id, entry.has_user_valves])).toEqual([
      ["code_chip", false],
      ["web_search", true],
    ]);
  });

  it("leaves out a plugin that does not load", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("broken", "action", { is_global: true }), { loadError: new Error("SyntaxError") });
    world.addFunction(functionRecord("fine", "action", { is_global: true }), action);
    expect((await lister(world))(model()).actions.map((entry) => entry.id)).toEqual(["fine"]);
  });
});
