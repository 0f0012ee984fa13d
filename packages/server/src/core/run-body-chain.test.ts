import { describe, expect, it } from "vitest";
import type { RequestFilter } from "./resolve-filters.ts";
import { runBodyChain } from "./run-body-chain.ts";
import { functionRecord, InMemoryWorld, type FakePlugin } from "./testing/in-memory-ports.ts";

type Body = { messages: Array<{ role: string; content: string }> };

function addFilter(world: InMemoryWorld, id: string, plugin: FakePlugin): RequestFilter {
  const record = world.addFunction(functionRecord(id, "filter"), plugin);
  return { record, hooks: new Set(Object.keys(plugin.hooks ?? {})) };
}

const appendToLast = (suffix: string) => (body: unknown) => {
  const typed = body as Body;
  typed.messages.at(-1)!.content += suffix;
  return typed;
};

describe("runBodyChain", () => {
  it("passes the body through the filters in order, each return value replacing it", async () => {
    const world = new InMemoryWorld();
    const filters = [
      addFilter(world, "first", { hooks: { inlet: appendToLast(" +first") } }),
      addFilter(world, "second", { hooks: { inlet: appendToLast(" +second") } }),
    ];
    const body = await runBodyChain(world.openSession(), filters, "inlet", { messages: [{ role: "user", content: "hi" }] });
    expect(body.messages[0]!.content).toBe("hi +first +second");
  });

  it("skips filters without the hook and keeps the body when a filter returns nothing", async () => {
    const world = new InMemoryWorld();
    const filters = [
      addFilter(world, "outlet-only", { hooks: { outlet: appendToLast(" +outlet") } }),
      addFilter(world, "watcher", { hooks: { inlet: () => undefined } }),
      addFilter(world, "tagger", { hooks: { inlet: appendToLast(" +tag") } }),
    ];
    const body = await runBodyChain(world.openSession(), filters, "inlet", { messages: [{ role: "user", content: "hi" }] });
    expect(body.messages[0]!.content).toBe("hi +tag");
    expect(world.calls.map((call) => call.pluginId)).toEqual(["watcher", "tagger"]);
  });

  it("stops at a filter that throws, with its error, and runs none after it", async () => {
    const world = new InMemoryWorld();
    const filters = [
      addFilter(world, "guard", {
        hooks: {
          outlet: () => {
            throw new Error("blocked word");
          },
        },
      }),
      addFilter(world, "later", { hooks: { outlet: appendToLast("!") } }),
    ];
    await expect(runBodyChain(world.openSession(), filters, "outlet", { messages: [] })).rejects.toMatchObject({
      code: "PLUGIN_ERROR",
      message: "blocked word",
      pluginId: "guard",
      hook: "outlet",
    });
    expect(world.calls.map((call) => call.pluginId)).toEqual(["guard"]);
  });
});
