import { describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import type { TurnUser } from "./ports.ts";
import { resolveModel } from "./resolve-model.ts";
import { ADA, functionRecord, InMemoryWorld, modelRecord, textChunks } from "./testing/in-memory-ports.ts";

const ADMIN: TurnUser = { ...ADA, id: "root", role: "admin" };

function resolve(world: InMemoryWorld, id: string, user: TurnUser = ADA) {
  return resolveModel(world.ports, world.openSession(user), user, id);
}

describe("resolveModel", () => {
  it("finds an upstream model, with the name and plugins its settings row gives it", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.modelRows.set(
      "gpt-small",
      modelRecord("gpt-small", { name: "Small GPT", meta: { filterIds: ["f"], toolIds: ["t", 3] as unknown as string[] } }),
    );
    const model = await resolve(world, "gpt-small");
    expect(model).toMatchObject({ id: "gpt-small", name: "Small GPT", source: { kind: "upstream", upstream: { id: "gpt-small" } } });
    expect(model.settings).toEqual({ filterIds: ["f"], defaultFilterIds: [], actionIds: [], toolIds: ["t"] });
  });

  it("answers a custom model on top of its base, with the custom model's own id, name and settings", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.modelRows.set("gpt-small", modelRecord("gpt-small", { meta: { actionIds: ["base_action"] } }));
    world.modelRows.set(
      "helper",
      modelRecord("helper", { name: "Helper", base_model_id: "gpt-small", meta: { actionIds: ["summarize"] } }),
    );
    const model = await resolve(world, "helper");
    expect(model).toMatchObject({ id: "helper", name: "Helper", source: { kind: "upstream", upstream: { id: "gpt-small" } } });
    expect(model.settings.actionIds).toEqual(["summarize"]);
    expect(model.row?.id).toBe("helper");
  });

  it("answers a pipe's manifold entry, split at the first dot, and a custom model on top of it", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("proxy", "pipe"), { descriptor: { kind: "pipe", pipes: [{ id: "gpt-4.1", name: "GPT 4.1" }] } });
    world.modelRows.set("coder", modelRecord("coder", { base_model_id: "proxy.gpt-4.1" }));
    expect(await resolve(world, "proxy.gpt-4.1")).toMatchObject({
      name: "GPT 4.1",
      owned_by: "sluice",
      source: { kind: "pipe", subModel: "gpt-4.1" },
    });
    expect(await resolve(world, "coder")).toMatchObject({
      id: "coder",
      source: { kind: "pipe", record: { id: "proxy" }, subModel: "gpt-4.1" },
    });
    await expect(resolve(world, "proxy.unknown")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("does not answer a switched-off pipe", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("echo", "pipe", { is_active: false }), { descriptor: { kind: "pipe" } });
    await expect(resolve(world, "echo")).rejects.toMatchObject({ code: "NOT_FOUND", message: "Model not found: echo" });
  });

  it("says NOT_FOUND for a model whose row is switched off or that the user may not read", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.addUpstreamModel("gpt-large", textChunks("hi"));
    world.modelRows.set("gpt-small", modelRecord("gpt-small", { is_active: false }));
    world.modelRows.set("private", modelRecord("private", { base_model_id: "gpt-large", access_control: {} }));
    world.modelRows.set(
      "shared",
      modelRecord("shared", { base_model_id: "gpt-large", access_control: { read: { user_ids: ["ada"], group_ids: [] } } }),
    );
    await expect(resolve(world, "gpt-small")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(resolve(world, "private")).rejects.toMatchObject({ code: "NOT_FOUND", message: "Model not found: private" });
    expect((await resolve(world, "private", ADMIN)).id).toBe("private");
    expect((await resolve(world, "shared")).id).toBe("shared");
  });

  it("says NOT_FOUND for a custom model whose base is gone", async () => {
    const world = new InMemoryWorld();
    world.modelRows.set("orphan", modelRecord("orphan", { base_model_id: "retired-model" }));
    await expect(resolve(world, "orphan")).rejects.toMatchObject({ code: "NOT_FOUND", message: "Model not found: orphan" });
  });

  it("says an unknown model may live on an upstream that did not answer, with its status", async () => {
    const world = new InMemoryWorld();
    world.unreachable.push(new SluiceError("UPSTREAM_ERROR", "http://llm:8080 answered 401", { details: { status: 401 } }));
    const error = await resolve(world, "gpt-small").catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: "UPSTREAM_ERROR",
      message: 'Model "gpt-small" is not available: http://llm:8080 answered 401',
      details: { status: 401 },
    });
  });
});
