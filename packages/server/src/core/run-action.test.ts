import { describe, expect, it } from "vitest";
import type { MessagesBody } from "./messages-body.ts";
import { runAction } from "./run-action.ts";
import { ADA, functionRecord, InMemoryWorld, textChunks, type FakeHookContext } from "./testing/in-memory-ports.ts";

function worldWithChat(): InMemoryWorld {
  const world = new InMemoryWorld();
  world.addUpstreamModel("gpt-small", textChunks("unused"));
  world.chats.set("c1", {
    userId: ADA.id,
    title: "Chat",
    messages: [
      { id: "u1", role: "user", content: "hello" },
      { id: "a1", role: "assistant", content: "Hi there" },
    ],
  });
  return world;
}

function body(fields: Partial<MessagesBody> = {}): MessagesBody {
  return {
    model: "gpt-small",
    messages: [
      { id: "u1", role: "user", content: "hello" },
      { id: "a1", role: "assistant", content: "Hi there" },
    ],
    chat_id: "c1",
    id: "a1",
    ...fields,
  };
}

const stored = (world: InMemoryWorld, id: string) => world.chats.get("c1")!.messages.find((message) => message.id === id);

describe("runAction", () => {
  it("runs the action with the body and answers what it returned", async () => {
    const world = worldWithChat();
    let seen: { payload: unknown; context: FakeHookContext } | undefined;
    world.addFunction(functionRecord("count", "action"), {
      hooks: {
        action: (payload, context) => {
          seen = { payload, context };
          return { words: 2 };
        },
      },
    });
    expect(await runAction(world.ports, ADA, "count", body())).toEqual({ words: 2 });
    expect(seen!.payload).toMatchObject({ chat_id: "c1", id: "a1", messages: [{ id: "u1" }, { id: "a1" }] });
    expect(seen!.context).toMatchObject({ id: "count", metadata: { action_id: "count", sub_action_id: null, chat_id: "c1" } });
    expect(world.openSessions).toBe(0);
  });

  it("runs one entry of an action with several, telling it which", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("translate", "action"), {
      descriptor: { actions: [{ id: "fr", name: "French" }] },
      hooks: { action: (_payload, context) => ({ ran: context.id, entry: context.metadata.sub_action_id }) },
    });
    expect(await runAction(world.ports, ADA, "translate.fr", body())).toEqual({ ran: "translate.fr", entry: "fr" });
    await expect(runAction(world.ports, ADA, "translate.de", body())).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "Action not found: translate.de",
    });
    expect(world.calls).toHaveLength(1);
  });

  it("says NOT_FOUND for no such action, a function that is no action, or one switched off", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("shout", "filter"), { hooks: { action: () => "ran" } });
    world.addFunction(functionRecord("sleeping", "action", { is_active: false }), { hooks: { action: () => "ran" } });
    for (const id of ["missing", "shout", "sleeping"]) {
      await expect(runAction(world.ports, ADA, id, body())).rejects.toMatchObject({
        code: "NOT_FOUND",
        message: `Action not found: ${id}`,
      });
    }
    expect(world.calls).toEqual([]);
  });

  it("runs nothing for a model the user may not use or another user's chat", async () => {
    const world = worldWithChat();
    world.chats.set("theirs", { userId: "bob", title: "Bob's", messages: [] });
    world.addFunction(functionRecord("count", "action"), { hooks: { action: () => "ran" } });
    await expect(runAction(world.ports, ADA, "count", body({ model: "unknown" }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(runAction(world.ports, ADA, "count", body({ chat_id: "theirs" }))).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "Chat not found: theirs",
    });
    expect(world.calls).toEqual([]);
    expect(world.openSessions).toBe(0);
  });

  it("saves a {content} result as the clicked message's text, keeping the first original", async () => {
    const world = worldWithChat();
    let round = 0;
    world.addFunction(functionRecord("rewrite", "action"), { hooks: { action: () => ({ content: `Rewritten ${++round}` }) } });
    await runAction(world.ports, ADA, "rewrite", body());
    await runAction(world.ports, ADA, "rewrite", body());
    expect(stored(world, "a1")).toMatchObject({ role: "assistant", content: "Rewritten 2", originalContent: "Hi there" });
    expect(stored(world, "u1")).toEqual({ id: "u1", role: "user", content: "hello" });
  });

  it("merges a {messages} result into the stored messages by id, creating none", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("annotate", "action"), {
      hooks: {
        action: () => ({
          messages: [
            { id: "u1", content: "hello (edited)" },
            { id: "a1", content: "Hi there", annotation: "checked" },
            { id: "ghost", role: "user", content: "never stored" },
            { content: "no id" },
          ],
        }),
      },
    });
    await runAction(world.ports, ADA, "annotate", body());
    expect(world.chats.get("c1")!.messages).toEqual([
      { id: "u1", role: "user", content: "hello (edited)", originalContent: "hello" },
      { id: "a1", role: "assistant", content: "Hi there", annotation: "checked", originalContent: "Hi there" },
    ]);
  });

  it("saves nothing for a temporary chat or a result that is no change, and still answers it", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("rewrite", "action"), { hooks: { action: () => ({ content: "Rewritten" }) } });
    world.addFunction(functionRecord("plain", "action"), { hooks: { action: () => "just text" } });
    expect(await runAction(world.ports, ADA, "rewrite", body({ chat_id: "local:tab-1" }))).toEqual({ content: "Rewritten" });
    expect(await runAction(world.ports, ADA, "plain", body())).toBe("just text");
    expect(stored(world, "a1")).toEqual({ id: "a1", role: "assistant", content: "Hi there" });
  });
});
