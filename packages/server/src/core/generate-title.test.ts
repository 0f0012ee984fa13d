import { describe, expect, it, vi } from "vitest";
import type { ChatRequest } from "./chat-request.ts";
import { generateTitleInBackground, parseTitle } from "./generate-title.ts";
import { resolveModel } from "./resolve-model.ts";
import { ADA, functionRecord, InMemoryWorld, textChunks } from "./testing/in-memory-ports.ts";

describe("parseTitle", () => {
  it("takes the title of a JSON answer, also with words around it", () => {
    expect(parseTitle('{"title": "🌤 Oslo weather"}')).toBe("🌤 Oslo weather");
    expect(parseTitle('Sure! Here it is:\n```json\n{ "title": "  Trip planning  " }\n```')).toBe("Trip planning");
  });

  it("takes the first line of a plain answer, without quotes or a heading mark", () => {
    expect(parseTitle('  "Quantum computing basics"\nThis chat covers…')).toBe("Quantum computing basics");
    expect(parseTitle("## Rust lifetimes")).toBe("Rust lifetimes");
    expect(parseTitle("{not json} Budget review")).toBe("{not json} Budget review");
  });

  it("gives nothing for an empty answer and at most 100 characters", () => {
    expect(parseTitle("   ")).toBeUndefined();
    // A JSON answer whose title is empty has none: its raw JSON is no title either.
    expect(parseTitle('{"title": ""}')).toBeUndefined();
    expect(parseTitle('{"title": "   "}')).toBeUndefined();
    expect(parseTitle(`{"title": "${"a".repeat(300)}"}`)).toHaveLength(100);
    expect(parseTitle("b".repeat(300))).toHaveLength(100);
  });
});

const TITLE_ANSWER = textChunks('{"title": "🌤 Oslo weather"}');

function firstTurn(fields: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: "gpt-small",
    messages: [
      { role: "user", content: "Weather in Oslo?" },
      { role: "assistant", content: "Sunny." },
    ],
    chat_id: "c1",
    id: "a1",
    ...fields,
  };
}

function newWorld(chatTitle = "New Chat"): InMemoryWorld {
  const world = new InMemoryWorld();
  world.settings.enableTitleGeneration = true;
  world.chats.set("c1", { userId: ADA.id, title: chatTitle, messages: [] });
  return world;
}

async function finishTurn(world: InMemoryWorld, request: ChatRequest = firstTurn()) {
  const model = await resolveModel(world.ports, world.openSession(), ADA, request.model);
  generateTitleInBackground(world.ports, { user: ADA, request, model });
}

/** Lets the background task run to its end: the in-memory ports answer within one tick. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("generateTitleInBackground", () => {
  it("names a new chat after its first answer, from the task model's answer, and tells the user's tabs", async () => {
    const world = newWorld();
    world.addUpstreamModel("gpt-small", TITLE_ANSWER);
    await finishTurn(world);
    await vi.waitFor(() => expect(world.chats.get("c1")!.title).toBe("🌤 Oslo weather"));
    expect(world.eventsOf("chat:title")).toEqual(["🌤 Oslo weather"]);
    const prompt = (world.upstreamBodies[0]!.messages as Array<{ content: string }>)[0]!.content;
    expect(prompt).toContain("USER: Weather in Oslo?\nASSISTANT: Sunny.");
  });

  it("runs the title request through the filters, which see it as the title_generation task", async () => {
    const world = newWorld();
    world.addUpstreamModel("gpt-small", TITLE_ANSWER);
    world.addFunction(functionRecord("audit", "filter"), { hooks: { inlet: (body) => body } });
    await finishTurn(world);
    await vi.waitFor(() => expect(world.eventsOf("chat:title")).toHaveLength(1));
    expect(world.calls.map((call) => [call.pluginId, call.hook, call.metadata.task])).toEqual([["audit", "inlet", "title_generation"]]);
  });

  it("leaves a chat alone that already has a title, or past its first answer, or when switched off", async () => {
    const named = newWorld("Holiday plans");
    named.addUpstreamModel("gpt-small", TITLE_ANSWER);
    await finishTurn(named);

    const later = newWorld();
    later.addUpstreamModel("gpt-small", TITLE_ANSWER);
    await finishTurn(later, firstTurn({ messages: [...firstTurn().messages, { role: "user", content: "And tomorrow?" }] }));

    const off = newWorld();
    off.settings.enableTitleGeneration = false;
    off.addUpstreamModel("gpt-small", TITLE_ANSWER);
    await finishTurn(off);

    await settle();
    expect(named.chats.get("c1")!.title).toBe("Holiday plans");
    for (const world of [named, later, off]) {
      expect(world.upstreamBodies).toEqual([]);
      expect(world.eventsOf("chat:title")).toEqual([]);
    }
  });

  it("asks TASK_MODEL when it is set", async () => {
    const world = newWorld();
    world.settings.taskModel = "tiny";
    world.addUpstreamModel("gpt-small", textChunks("not asked"));
    world.addUpstreamModel("tiny", TITLE_ANSWER);
    await finishTurn(world);
    await vi.waitFor(() => expect(world.chats.get("c1")!.title).toBe("🌤 Oslo weather"));
    expect(world.upstreamBodies.map((body) => body.model)).toEqual(["tiny"]);
  });

  it("asks the first upstream model rather than the chat's pipe", async () => {
    const world = newWorld();
    world.addUpstreamModel("gpt-small", TITLE_ANSWER);
    world.addFunction(functionRecord("agent", "pipe"), { descriptor: { kind: "pipe" }, hooks: { pipe: () => "I am an agent" } });
    await finishTurn(world, firstTurn({ model: "agent" }));
    await vi.waitFor(() => expect(world.chats.get("c1")!.title).toBe("🌤 Oslo weather"));
    expect(world.calls.filter((call) => call.hook === "pipe")).toEqual([]);
  });

  it("keeps the default title when the only model is a pipe that echoes the prompt back", async () => {
    const world = newWorld();
    world.addFunction(functionRecord("echo", "pipe"), {
      descriptor: { kind: "pipe" },
      hooks: { pipe: (body) => (body as { messages: Array<{ content: string }> }).messages.at(-1)!.content },
    });
    await finishTurn(world, firstTurn({ model: "echo" }));
    await vi.waitFor(() => expect(world.calls.filter((call) => call.hook === "pipe")).toHaveLength(1));
    await settle();
    expect(world.chats.get("c1")!.title).toBe("New Chat");
    expect(world.eventsOf("chat:title")).toEqual([]);
  });

  it("logs a title request that fails, and the chat keeps its title", async () => {
    const world = newWorld();
    world.settings.taskModel = "retired-model";
    world.addUpstreamModel("gpt-small", TITLE_ANSWER);
    await finishTurn(world);
    await vi.waitFor(() =>
      expect(world.logs).toMatchObject([{ level: "warn", message: "title generation failed", fields: { chatId: "c1" } }]),
    );
    expect(world.chats.get("c1")!.title).toBe("New Chat");
  });
});
