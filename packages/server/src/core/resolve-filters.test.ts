import { describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { resolveFilters } from "./resolve-filters.ts";
import { functionRecord, InMemoryWorld, LocalLoadFailure } from "./testing/in-memory-ports.ts";

const passThrough = { hooks: { inlet: (body: unknown) => body } };

async function filterIds(world: InMemoryWorld, modelFilterIds: string[] = [], enabled: string[] = []) {
  const filters = await resolveFilters(world.ports, world.openSession(), modelFilterIds, enabled);
  return filters.map((filter) => filter.record.id);
}

describe("resolveFilters", () => {
  it("orders filters by their priority valve (stored, else the schema's default), then id", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("b_late", "filter", { valves: { priority: 5 } }), passThrough);
    world.addFunction(functionRecord("a_default", "filter"), {
      ...passThrough,
      descriptor: { valvesSchema: { properties: { priority: { type: "number", default: 2 } } } },
    });
    world.addFunction(functionRecord("c_first", "filter", { valves: { priority: -1 } }), passThrough);
    world.addFunction(functionRecord("d_tie", "filter", { valves: { priority: 2 } }), passThrough);
    expect(await filterIds(world)).toEqual(["c_first", "a_default", "d_tie", "b_late"]);
  });

  it("runs a model's own filters with the global ones, not another model's, and no switched-off ones", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("everywhere", "filter"), passThrough);
    world.addFunction(functionRecord("mine", "filter", { is_global: false }), passThrough);
    world.addFunction(functionRecord("other_models", "filter", { is_global: false }), passThrough);
    world.addFunction(functionRecord("switched_off", "filter", { is_active: false }), passThrough);
    world.addFunction(functionRecord("not_a_filter", "action"), { hooks: { action: () => null } });
    expect(await filterIds(world, ["mine", "switched_off"])).toEqual(["everywhere", "mine"]);
  });

  it("runs a toggle filter only when the request switched it on", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("web_search", "filter"), { ...passThrough, descriptor: { toggle: true } });
    expect(await filterIds(world)).toEqual([]);
    expect(await filterIds(world, [], ["web_search"])).toEqual(["web_search"]);
  });

  it("says which hooks each filter has", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("redact", "filter"), { hooks: { outlet: (body) => body }, stream: (chunk) => chunk });
    const [filter] = await resolveFilters(world.ports, world.openSession(), [], []);
    expect([...filter!.hooks].sort()).toEqual(["outlet", "stream"]);
  });

  it("leaves out a filter that does not load, logged, and runs the others", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("broken", "filter"), { loadError: new SluiceError("PLUGIN_LOAD_FAILED", "SyntaxError in broken") });
    world.addFunction(functionRecord("fine", "filter"), passThrough);
    expect(await filterIds(world)).toEqual(["fine"]);
    expect(world.logs).toMatchObject([{ level: "warn", message: "filter left out: it does not load", fields: { pluginId: "broken" } }]);
  });

  it("fails the request (UNAVAILABLE) when a filter cannot load on this instance, rather than skip it", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("redactor", "filter"), { loadError: new LocalLoadFailure("the npm registry is unreachable") });
    world.addFunction(functionRecord("fine", "filter"), passThrough);
    await expect(filterIds(world)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: 'Filter "redactor" cannot run on this server instance: the npm registry is unreachable',
    });
  });
});
