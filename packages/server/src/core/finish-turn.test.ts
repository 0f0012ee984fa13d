import { describe, expect, it } from "vitest";
import type { ChatRequest } from "./chat-request.ts";
import { finishTurn, type FinishedAnswer, type FinishedTurn } from "./finish-turn.ts";
import { resolveFilters } from "./resolve-filters.ts";
import { resolveModel } from "./resolve-model.ts";
import { ADA, functionRecord, InMemoryWorld, textChunks, type FakePlugin } from "./testing/in-memory-ports.ts";

type OutletBody = { messages: Array<{ id?: string; role: string; content: string }> };

/** An outlet filter that changes the assistant's text. */
const footnote: FakePlugin = {
  hooks: {
    outlet: (body) => {
      const typed = body as OutletBody;
      typed.messages.at(-1)!.content += "\n\n(checked)";
      return typed;
    },
  },
};

function request(fields: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "gpt-small", messages: [{ id: "u1", role: "user", content: "hello" }], chat_id: "c1", id: "a1", ...fields };
}

function worldWithChat(): InMemoryWorld {
  const world = new InMemoryWorld();
  world.addUpstreamModel("gpt-small", textChunks("unused"));
  world.chats.set("c1", { userId: ADA.id, title: "New Chat", messages: [{ id: "u1", role: "user", content: "hello" }] });
  return world;
}

async function finish(
  world: InMemoryWorld,
  answer: Omit<FinishedAnswer, "model" | "request"> & { request?: ChatRequest },
  onFinished?: (turn: FinishedTurn) => void,
) {
  const turnRequest = answer.request ?? request();
  const session = world.openSession();
  const model = await resolveModel(world.ports, session, ADA, turnRequest.model);
  const filters = await resolveFilters(world.ports, session, [], []);
  const events = world.ports.events.forRequest(ADA, { chatId: turnRequest.chat_id, sessionId: turnRequest.session_id });
  await finishTurn(world.ports, { session, user: ADA, events, filters }, { ...answer, request: turnRequest, model }, onFinished);
}

const savedAnswer = (world: InMemoryWorld) => world.chats.get("c1")!.messages.find((message) => message.id === "a1");

describe("finishTurn", () => {
  it("saves the answer as the chat's assistant message, done, with its model and usage", async () => {
    const world = worldWithChat();
    await finish(world, { content: "Hi Ada", usage: { total_tokens: 7 } });
    expect(world.chats.get("c1")!.messages).toEqual([
      { id: "u1", role: "user", content: "hello" },
      {
        id: "a1",
        role: "assistant",
        content: "Hi Ada",
        model: "gpt-small",
        done: true,
        timestamp: expect.any(Number),
        usage: { total_tokens: 7 },
      },
    ]);
  });

  it("replaces an earlier error of the message once the answer is saved, keeping its timestamp", async () => {
    const world = worldWithChat();
    world.chats.get("c1")!.messages.push({ id: "a1", role: "assistant", content: "", timestamp: 123, error: { content: "interrupted" } });
    await finish(world, { content: "Hi Ada" });
    expect(savedAnswer(world)).not.toHaveProperty("error");
    expect(savedAnswer(world)).toMatchObject({ content: "Hi Ada", timestamp: 123 });
  });

  it("saves what the outlet changed, keeping the model's text as originalContent, and tells the browser", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("footnote", "filter"), footnote);
    await finish(world, { content: "Hi Ada", request: request({ session_id: "tab-1" }) });
    expect(savedAnswer(world)).toMatchObject({ content: "Hi Ada\n\n(checked)", originalContent: "Hi Ada" });
    expect(world.eventsOf("chat:outlet")).toEqual([{ messages: [{ id: "a1", role: "assistant", content: "Hi Ada\n\n(checked)" }] }]);
    expect(world.eventsOf("chat:completion")).toEqual([{ done: true, content: "Hi Ada\n\n(checked)" }]);
  });

  it("gives the outlet the whole chat and saves a change to an earlier stored message too", async () => {
    const world = worldWithChat();
    let seen: unknown;
    world.addFunction(functionRecord("mask", "filter"), {
      hooks: {
        outlet: (body) => {
          seen = structuredClone(body);
          const typed = body as OutletBody;
          typed.messages[0]!.content = "h***o";
          return typed;
        },
      },
    });
    await finish(world, { content: "Hi Ada" });
    expect(seen).toMatchObject({
      model: "gpt-small",
      chat_id: "c1",
      id: "a1",
      messages: [
        { id: "u1", role: "user", content: "hello" },
        { id: "a1", role: "assistant", content: "Hi Ada" },
      ],
    });
    expect(world.chats.get("c1")!.messages[0]).toMatchObject({ content: "h***o", originalContent: "hello" });
    expect(savedAnswer(world)).toMatchObject({ content: "Hi Ada" });
    expect(savedAnswer(world)).not.toHaveProperty("originalContent");
  });

  it("sends an API caller's outlet changes to no browser, but saves them", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("footnote", "filter"), footnote);
    await finish(world, { content: "Hi Ada" });
    expect(savedAnswer(world)!.content).toBe("Hi Ada\n\n(checked)");
    expect(world.eventsOf("chat:completion")).toEqual([]);
  });

  it("saves an answer that broke off with its error, runs no outlet, and tells the browser", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("footnote", "filter"), footnote);
    let listened = false;
    await finish(world, { content: "Half an ans", error: new Error("connection reset"), request: request({ session_id: "tab-1" }) }, () => {
      listened = true;
    });
    expect(savedAnswer(world)).toMatchObject({ content: "Half an ans", done: true, error: { content: "connection reset" } });
    expect(world.calls).toEqual([]);
    expect(world.eventsOf("chat:completion")).toEqual([{ done: true, content: "Half an ans", error: { content: "connection reset" } }]);
    expect(listened).toBe(false);
  });

  it("saves a stopped answer as it is, without an error and without the outlet", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("footnote", "filter"), footnote);
    let listened = false;
    await finish(world, { content: "Half", isStopped: true, request: request({ session_id: "tab-1" }) }, () => {
      listened = true;
    });
    expect(savedAnswer(world)).toMatchObject({ content: "Half", done: true });
    expect(savedAnswer(world)).not.toHaveProperty("error");
    expect(world.calls).toEqual([]);
    expect(world.eventsOf("chat:completion")).toEqual([{ done: true, content: "Half" }]);
    expect(listened).toBe(false);
  });

  it("logs an outlet that fails and keeps the answer as the model gave it", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("broken", "filter"), {
      hooks: {
        outlet: () => {
          throw new Error("outlet bug");
        },
      },
    });
    await finish(world, { content: "Hi Ada", request: request({ session_id: "tab-1" }) });
    expect(savedAnswer(world)).toMatchObject({ content: "Hi Ada" });
    expect(world.eventsOf("chat:completion")).toEqual([{ done: true, content: "Hi Ada" }]);
    expect(world.logs).toMatchObject([
      {
        level: "warn",
        message: "outlet filter failed; the answer stays as it was",
        fields: { chatId: "c1", err: { message: "outlet bug" } },
      },
    ]);
  });

  it("runs the outlet for a temporary chat and sends its changes, saving nothing", async () => {
    const world = worldWithChat();
    world.addFunction(functionRecord("footnote", "filter"), footnote);
    await finish(world, { content: "Hi", request: request({ chat_id: "local:tab-1", session_id: "tab-1" }) });
    expect(world.eventsOf("chat:outlet")).toEqual([{ messages: [{ id: "a1", role: "assistant", content: "Hi\n\n(checked)" }] }]);
    expect(world.chats.get("c1")!.messages).toHaveLength(1);
  });

  it("tells the listener of finished turns only about stored chats, and logs a listener that throws", async () => {
    const world = worldWithChat();
    const finished: FinishedTurn[] = [];
    const listen = (turn: FinishedTurn) => finished.push(turn);
    await finish(world, { content: "Hi", request: request({ chat_id: "local:tab-1" }) }, listen);
    await finish(world, { content: "Hi", request: request({ chat_id: null }) }, listen);
    expect(finished).toEqual([]);
    await finish(world, { content: "Hi" }, listen);
    expect(finished).toMatchObject([{ user: { id: "ada" }, request: { chat_id: "c1", id: "a1" }, model: { id: "gpt-small" } }]);
    await finish(world, { content: "Hi" }, () => {
      throw new Error("listener bug");
    });
    expect(world.logs).toMatchObject([{ level: "warn", message: "a listener of finished turns failed" }]);
  });
});
