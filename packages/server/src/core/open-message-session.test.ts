import { describe, expect, it } from "vitest";
import { openMessageSession, requireOwnChat } from "./open-message-session.ts";
import { ADA, functionRecord, InMemoryWorld, type FakeHookContext } from "./testing/in-memory-ports.ts";

describe("requireOwnChat", () => {
  it("answers the chat id of the user's stored chat, and nothing for no chat or a temporary one", async () => {
    const world = new InMemoryWorld();
    world.chats.set("c1", { userId: ADA.id, title: "Mine", messages: [] });
    expect(await requireOwnChat(world.ports, ADA, "c1")).toBe("c1");
    expect(await requireOwnChat(world.ports, ADA, null)).toBeUndefined();
    expect(await requireOwnChat(world.ports, ADA, "")).toBeUndefined();
    expect(await requireOwnChat(world.ports, ADA, "local:tab-1")).toBeUndefined();
  });

  it("says NOT_FOUND for another user's chat, as for one that does not exist", async () => {
    const world = new InMemoryWorld();
    world.chats.set("theirs", { userId: "bob", title: "Bob's", messages: [] });
    await expect(requireOwnChat(world.ports, ADA, "theirs")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "Chat not found: theirs",
    });
    await expect(requireOwnChat(world.ports, ADA, "missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("openMessageSession", () => {
  it("gives the plugin the body's chat, message, session and model in ctx.metadata, and its events go live to the chat", async () => {
    const world = new InMemoryWorld();
    let seen: FakeHookContext | undefined;
    const record = world.addFunction(functionRecord("copy", "action"), {
      hooks: {
        action: async (_body, context) => {
          seen = context;
          await context.events.emit({ type: "notification", data: { content: "Copied" } });
          return null;
        },
      },
    });
    const session = openMessageSession(world.ports, ADA, {
      model: "gpt-small",
      messages: [{ role: "user", content: "hi", id: "u1" }],
      chat_id: "c1",
      id: "a1",
      session_id: "tab-1",
      filter_ids: ["chip"],
    });
    await session.invoke("function", record, "action", {});
    session.release();
    expect(seen!.metadata).toMatchObject({
      user_id: "ada",
      chat_id: "c1",
      message_id: "a1",
      session_id: "tab-1",
      model: "gpt-small",
      filter_ids: ["chip"],
    });
    expect(world.events).toMatchObject([{ event: { type: "notification" }, live: true, chatId: "c1" }]);
  });

  it("has nothing live without a browser session, so ctx.call fails at once", async () => {
    const world = new InMemoryWorld();
    let callError: unknown;
    const record = world.addFunction(functionRecord("ask", "action"), {
      hooks: {
        action: async (_body, context) => {
          callError = await context.events.call({ type: "confirmation", data: {} }).catch((error: unknown) => error);
          return null;
        },
      },
    });
    const session = openMessageSession(world.ports, ADA, { model: "m", messages: [] });
    await session.invoke("function", record, "action", {});
    expect(callError).toMatchObject({ code: "FORBIDDEN" });
  });
});
