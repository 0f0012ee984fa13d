import { describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { startChatTurn } from "./start-chat-turn.ts";
import { ADA, functionRecord, InMemoryWorld, modelRecord, readAnswer, textChunks, toolRecord } from "./testing/in-memory-ports.ts";

function request(fields: Record<string, unknown> = {}) {
  return { model: "gpt-small", messages: [{ role: "user" as const, content: "hello" }], stream: true, ...fields };
}

describe("startChatTurn", () => {
  it("runs inlet, the upstream, the stream hook and the outlet in order, and saves the answer", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", (body) => textChunks(`echo: ${(body.messages as Array<{ content: string }>).at(-1)!.content}`));
    world.addFunction(functionRecord("shout", "filter"), {
      hooks: {
        inlet: (body) => {
          const typed = body as { messages: Array<{ content: string }> };
          typed.messages.at(-1)!.content = typed.messages.at(-1)!.content.toUpperCase();
          return typed;
        },
        outlet: (body) => body,
      },
      stream: (chunk) => chunk,
    });
    world.chats.set("c1", { userId: ADA.id, title: "New Chat", messages: [{ id: "u1", role: "user", content: "hello" }] });

    const turn = await startChatTurn(world.ports, {
      user: ADA,
      request: request({ chat_id: "c1", id: "a1" }),
      signal: new AbortController().signal,
    });
    const answer = await readAnswer(turn.chunks);

    expect(answer.text).toBe("echo: HELLO");
    expect(answer.finishReason).toBe("stop");
    expect(world.calls.map((call) => call.hook)).toEqual(["inlet", "stream", "stream", "outlet"]);
    expect(world.chats.get("c1")!.messages.at(-1)).toMatchObject({ id: "a1", role: "assistant", content: "echo: HELLO", done: true });
    expect(world.openSessions).toBe(0);
  });

  it("refuses a chat that is not the user's before anything runs", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("hi"));
    world.chats.set("c1", { userId: "someone-else", title: "x", messages: [] });
    await expect(
      startChatTurn(world.ports, { user: ADA, request: request({ chat_id: "c1" }), signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(world.upstreamBodies).toEqual([]);
  });

  it("applies a custom model's system prompt and params, under what the request set", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("ok"));
    world.modelRows.set(
      "helper",
      modelRecord("helper", { base_model_id: "gpt-small", params: { system: "Be brief.", temperature: 0.1, top_p: 0.5 } }),
    );
    const turn = await startChatTurn(world.ports, {
      user: ADA,
      request: request({ model: "helper", top_p: 0.9 }),
      signal: new AbortController().signal,
    });
    await readAnswer(turn.chunks);
    expect(world.upstreamBodies[0]).toMatchObject({
      model: "gpt-small",
      temperature: 0.1,
      top_p: 0.9,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello" },
      ],
    });
  });

  it("turns a pipe that throws at once into an error before the first chunk, and lets go of its plugins", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("broken", "pipe"), {
      descriptor: { kind: "pipe" },
      hooks: {
        pipe: () => {
          throw new Error("no key configured");
        },
      },
    });
    await expect(
      startChatTurn(world.ports, { user: ADA, request: request({ model: "broken" }), signal: new AbortController().signal }),
    ).rejects.toSatisfy((error) => SluiceError.isInstance(error) && /no key configured/.test(error.message));
    expect(world.openSessions).toBe(0);
  });

  it("lets go of its plugins when the client stops reading right after the first chunk", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("a", "b", "c"));
    const turn = await startChatTurn(world.ports, { user: ADA, request: request(), signal: new AbortController().signal });
    expect((await turn.chunks.next()).value?.choices[0]?.delta.content).toBe("a");
    await turn.chunks.return();
    expect(world.openSessions).toBe(0);
  });

  it("lets go of its plugins when the caller closes the answer without reading a chunk", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("a", "b", "c"));
    const turn = await startChatTurn(world.ports, { user: ADA, request: request(), signal: new AbortController().signal });
    expect(world.openSessions).toBe(1);
    await turn.chunks.return();
    expect(world.openSessions).toBe(0);
  });

  it("gives the pipe the request's and the model's tools once resolved, to list and call in its own loop", async () => {
    const world = new InMemoryWorld();
    world.addTool(toolRecord("math"), {
      descriptor: { kind: "tools", tools: [{ name: "add", description: "Adds", parameters: { type: "object" } }] },
      hooks: { tool: (args) => (args as { a: number; b: number }).a + (args as { a: number; b: number }).b },
    });
    world.addFunction(functionRecord("agent", "pipe"), {
      descriptor: { kind: "pipe" },
      hooks: {
        pipe: async (_body, context) => {
          const [tool] = context.tools!.list();
          return `${tool!.name} says ${String(await context.tools!.call(tool!.name, { a: 2, b: 3 }))}`;
        },
      },
    });
    const turn = await startChatTurn(world.ports, {
      user: ADA,
      request: request({ model: "agent", tool_ids: ["math"] }),
      signal: new AbortController().signal,
    });
    expect((await readAnswer(turn.chunks)).text).toBe("add says 5");
    expect(world.calls.map((call) => call.hook)).toEqual(["pipe", "add"]);
  });
});
