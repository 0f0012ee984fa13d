import { describe, expect, it } from "vitest";
import { listChatModels } from "./list-models.ts";
import type { TurnUser } from "./ports.ts";
import { ADA, functionRecord, InMemoryWorld, modelRecord, textChunks } from "./testing/in-memory-ports.ts";

async function list(world: InMemoryWorld, user: TurnUser = ADA) {
  return (await listChatModels(world.ports, user)).data;
}

describe("listChatModels", () => {
  it("lists the upstream models and the pipes' models, each pipe model marked as one", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.addFunction(functionRecord("echo", "pipe", { name: "Echo" }), { descriptor: { kind: "pipe" } });
    world.addFunction(functionRecord("proxy", "pipe"), { descriptor: { kind: "pipe", pipes: [{ id: "a", name: "Proxy A" }] } });
    world.addFunction(functionRecord("sleeping", "pipe", { is_active: false }), { descriptor: { kind: "pipe" } });
    const models = await list(world);
    expect(models.map((model) => [model.id, model.name, model.owned_by])).toEqual([
      ["gpt-small", "gpt-small", "openai"],
      ["echo", "Echo", "sluice"],
      ["proxy.a", "Proxy A", "sluice"],
    ]);
    expect(models[0]).not.toHaveProperty("pipe");
    expect(models[1]).toMatchObject({ object: "model", pipe: { type: "pipe" } });
    expect(world.openSessions).toBe(0);
  });

  it("leaves out the models of a pipe that does not load, logged, and lists the rest", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.addFunction(functionRecord("broken", "pipe"), { loadError: new Error("SyntaxError") });
    expect((await list(world)).map((model) => model.id)).toEqual(["gpt-small"]);
    expect(world.logs).toMatchObject([{ level: "warn", message: "pipe models left out of the list", fields: { pluginId: "broken" } }]);
  });

  it("shows a model under the name its row gives it, with the row as info", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.modelRows.set("gpt-small", modelRecord("gpt-small", { name: "Small", meta: { description: "Fast" } }));
    const [model] = await list(world);
    expect(model).toMatchObject({ id: "gpt-small", name: "Small", info: { id: "gpt-small", meta: { description: "Fast" } } });
  });

  it("lists custom models after the bases, and not one whose base is gone", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.modelRows.set("helper", modelRecord("helper", { name: "Helper", base_model_id: "gpt-small", created_at: 42 }));
    world.modelRows.set("orphan", modelRecord("orphan", { base_model_id: "retired" }));
    const models = await list(world);
    expect(models.map((model) => model.id)).toEqual(["gpt-small", "helper"]);
    expect(models[1]).toMatchObject({ name: "Helper", created: 42, owned_by: "openai", info: { base_model_id: "gpt-small" } });
  });

  it("lists a custom model that takes a base model's id once, as the custom model", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.addUpstreamModel("gpt-large", textChunks("hi"));
    world.modelRows.set("gpt-small", modelRecord("gpt-small", { name: "Small, but large", base_model_id: "gpt-large" }));
    const models = await list(world);
    expect(models.map((model) => [model.id, model.name])).toEqual([
      ["gpt-large", "gpt-large"],
      ["gpt-small", "Small, but large"],
    ]);
  });

  it("hides models whose row is switched off or that the user may not read", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.addUpstreamModel("gpt-large", textChunks("hi"));
    world.modelRows.set("gpt-large", modelRecord("gpt-large", { is_active: false }));
    world.modelRows.set("private", modelRecord("private", { base_model_id: "gpt-small", access_control: {} }));
    world.modelRows.set("retired", modelRecord("retired", { base_model_id: "gpt-small", is_active: false }));
    expect((await list(world)).map((model) => model.id)).toEqual(["gpt-small"]);
    expect((await list(world, { ...ADA, id: "root", role: "admin" })).map((model) => model.id)).toEqual(["gpt-small", "private"]);
  });

  it("gives each model its action buttons and toggle filters", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.modelRows.set("helper", modelRecord("helper", { base_model_id: "gpt-small", meta: { actionIds: ["summarize"] } }));
    world.addFunction(functionRecord("summarize", "action", { name: "Summarize" }), { hooks: { action: () => null } });
    world.addFunction(functionRecord("web_search", "filter"), { descriptor: { toggle: true }, hooks: { inlet: (body) => body } });
    const models = await list(world);
    expect(models.map((model) => [model.id, model.actions?.map((entry) => entry.id), model.filters?.map((entry) => entry.id)])).toEqual([
      ["gpt-small", [], ["web_search"]],
      ["helper", ["summarize"], ["web_search"]],
    ]);
  });
});
