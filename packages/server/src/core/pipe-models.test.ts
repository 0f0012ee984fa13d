import { describe, expect, it } from "vitest";
import { pipeModels } from "./pipe-models.ts";
import { functionRecord, InMemoryWorld } from "./testing/in-memory-ports.ts";

describe("pipeModels", () => {
  it("makes a pipe without a manifold one model, named like the pipe", async () => {
    const world = new InMemoryWorld();
    const record = world.addFunction(functionRecord("echo", "pipe", { name: "Echo" }), {
      descriptor: { kind: "pipe" },
      hooks: { pipe: () => "" },
    });
    expect(await pipeModels(world.openSession(), record)).toEqual([{ id: "echo", name: "Echo" }]);
  });

  it("makes each entry of a static manifold a model `<pipe id>.<entry id>`, dots in entry ids kept", async () => {
    const world = new InMemoryWorld();
    const record = world.addFunction(functionRecord("proxy", "pipe"), {
      descriptor: {
        kind: "pipe",
        pipes: [
          { id: "gpt-4.1-mini", name: "GPT 4.1 mini" },
          { id: "llama3.1:8b", name: "Llama" },
        ],
      },
    });
    expect(await pipeModels(world.openSession(), record)).toEqual([
      { id: "proxy.gpt-4.1-mini", name: "GPT 4.1 mini", subModel: "gpt-4.1-mini" },
      { id: "proxy.llama3.1:8b", name: "Llama", subModel: "llama3.1:8b" },
    ]);
  });

  it("asks a dynamic manifold for its entries each time", async () => {
    const world = new InMemoryWorld();
    let offered = [{ id: "a", name: "A" }];
    const record = world.addFunction(functionRecord("dyn", "pipe"), {
      descriptor: { kind: "pipe", hasDynamicPipes: true },
      hooks: { pipes: () => offered },
    });
    expect((await pipeModels(world.openSession(), record)).map((model) => model.id)).toEqual(["dyn.a"]);
    offered = [{ id: "b", name: "B" }];
    expect((await pipeModels(world.openSession(), record)).map((model) => model.id)).toEqual(["dyn.b"]);
  });

  it("drops an entry with an empty or repeated id, logged, and keeps the others", async () => {
    const world = new InMemoryWorld();
    const record = world.addFunction(functionRecord("dyn", "pipe"), {
      descriptor: { kind: "pipe", hasDynamicPipes: true },
      hooks: {
        pipes: () => [
          { id: "a", name: "A" },
          { id: " ", name: "Blank" },
          { id: "a", name: "A again" },
          { id: "b", name: "B" },
        ],
      },
    });
    const models = await pipeModels(world.openSession(), record, world.ports.log);
    expect(models.map((model) => model.name)).toEqual(["A", "B"]);
    expect(world.logs.map((entry) => entry.message)).toEqual([
      "manifold entry left out: an empty id",
      'manifold entry left out: the id "a" twice',
    ]);
  });

  it("fails with the pipe's load error when it does not load", async () => {
    const world = new InMemoryWorld();
    const record = world.addFunction(functionRecord("broken", "pipe"), { loadError: new Error("SyntaxError: Unexpected token") });
    await expect(pipeModels(world.openSession(), record)).rejects.toThrow("Unexpected token");
  });
});
