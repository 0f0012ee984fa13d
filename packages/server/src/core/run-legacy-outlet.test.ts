import { describe, expect, it } from "vitest";
import type { MessagesBody } from "./messages-body.ts";
import { runLegacyOutlet } from "./run-legacy-outlet.ts";
import { ADA, functionRecord, InMemoryWorld, modelRecord, textChunks, type FakePlugin } from "./testing/in-memory-ports.ts";

const suffix = (text: string): FakePlugin => ({
  hooks: {
    outlet: (body) => {
      const typed = body as MessagesBody;
      typed.messages.at(-1)!.content += text;
      return typed;
    },
  },
});

function worldWithChat(): InMemoryWorld {
  const world = new InMemoryWorld();
  world.addUpstreamModel("gpt-small", textChunks("unused"));
  world.chats.set("c1", { userId: ADA.id, title: "Chat", messages: [{ id: "a1", role: "assistant", content: "Hi" }] });
  return world;
}

function body(fields: Partial<MessagesBody> = {}): MessagesBody {
  return { model: "gpt-small", messages: [{ id: "a1", role: "assistant", content: "Hi" }], chat_id: "c1", id: "a1", ...fields };
}

describe("runLegacyOutlet", () => {
  it("answers the body as the model's filters' outlets left it, in their order", async () => {
    const world = worldWithChat();
    world.modelRows.set("gpt-small", modelRecord("gpt-small", { meta: { filterIds: ["model_only"] } }));
    world.addFunction(functionRecord("model_only", "filter", { is_global: false, valves: { priority: 2 } }), suffix(" [model]"));
    world.addFunction(functionRecord("global", "filter", { valves: { priority: 1 } }), suffix(" [global]"));
    world.addFunction(functionRecord("chip", "filter"), { ...suffix(" [chip]"), descriptor: { toggle: true } });
    world.addFunction(functionRecord("unattached", "filter", { is_global: false }), suffix(" [unattached]"));
    const answered = await runLegacyOutlet(world.ports, ADA, body());
    expect(answered.messages.at(-1)!.content).toBe("Hi [global] [model]");
    const withChip = await runLegacyOutlet(world.ports, ADA, body({ filter_ids: ["chip"] }));
    expect(withChip.messages.at(-1)!.content).toBe("Hi [chip] [global] [model]");
    expect(world.chats.get("c1")!.messages).toEqual([{ id: "a1", role: "assistant", content: "Hi" }]);
    expect(world.openSessions).toBe(0);
  });

  it("runs no outlet for another user's chat or an unknown model", async () => {
    const world = worldWithChat();
    world.chats.set("theirs", { userId: "bob", title: "Bob's", messages: [] });
    world.addFunction(functionRecord("global", "filter"), suffix("!"));
    await expect(runLegacyOutlet(world.ports, ADA, body({ chat_id: "theirs" }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(runLegacyOutlet(world.ports, ADA, body({ model: "unknown" }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(world.calls).toEqual([]);
    expect(world.openSessions).toBe(0);
  });

  it("fails with the error of an outlet that throws", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("strict", "filter"), {
      hooks: {
        outlet: () => {
          throw new Error("not allowed");
        },
      },
    });
    await expect(runLegacyOutlet(world.ports, ADA, body())).rejects.toMatchObject({
      code: "PLUGIN_ERROR",
      message: "not allowed",
      pluginId: "strict",
    });
    expect(world.openSessions).toBe(0);
  });
});
