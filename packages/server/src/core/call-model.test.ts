import { describe, expect, it } from "vitest";
import type { StreamEvent } from "@sluice/sdk";
import { callModel } from "./call-model.ts";
import { resolveModel } from "./resolve-model.ts";
import { ADA, functionRecord, InMemoryWorld, readAnswer, textChunks } from "./testing/in-memory-ports.ts";

const base = { id: "chatcmpl-1", model: "shown-model", created: 1 };
const body = { model: "whatever", messages: [{ role: "user", content: "hi" }], temperature: 0.5 };

async function call(world: InMemoryWorld, modelId: string, signal = new AbortController().signal) {
  const session = world.openSession();
  const model = await resolveModel(world.ports, session, ADA, modelId);
  return callModel(world.ports.gateway, session, model, body, base, signal);
}

describe("callModel", () => {
  it("streams an upstream model, asked by its upstream id, each chunk under this answer's id and model", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("Hel", "lo"));
    const answer = await readAnswer(await call(world, "gpt-small"));
    expect(answer.text).toBe("Hello");
    expect(answer.finishReason).toBe("stop");
    expect(answer.chunks.every((chunk) => chunk.id === "chatcmpl-1" && chunk.model === "shown-model")).toBe(true);
    expect(world.upstreamBodies).toEqual([{ ...body, model: "gpt-small", stream: true }]);
  });

  it("runs a pipe with the body and ends its text with a finish reason the stream filters can flush on", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("echo", "pipe"), {
      descriptor: { kind: "pipe" },
      hooks: {
        pipe: async function* (payload) {
          yield "You said: ";
          yield (payload as typeof body).messages[0]!.content;
        },
      },
    });
    const answer = await readAnswer(await call(world, "echo"));
    expect(answer.text).toBe("You said: hi");
    expect(answer.chunks.at(-1)!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(answer.chunks.every((chunk) => chunk.id === "chatcmpl-1")).toBe(true);
  });

  it("adds no second finish when the pipe gave its own", async () => {
    const world = new InMemoryWorld();
    const finished: StreamEvent = { choices: [{ index: 0, delta: { content: "done" }, finish_reason: "length" }] };
    world.addFunction(functionRecord("short", "pipe"), { descriptor: { kind: "pipe" }, hooks: { pipe: () => finished } });
    const answer = await readAnswer(await call(world, "short"));
    expect(answer.chunks.map((chunk) => chunk.choices[0]!.finish_reason)).toEqual(["length"]);
  });

  it("tells a manifold's pipe which entry is asked, and its ctx.id is the model id", async () => {
    const world = new InMemoryWorld();
    world.addFunction(functionRecord("proxy", "pipe"), {
      descriptor: { kind: "pipe", pipes: [{ id: "gpt-4.1", name: "GPT 4.1" }] },
      hooks: { pipe: (_payload, context) => `${context.id} as ${context.metadata.subModel}` },
    });
    expect((await readAnswer(await call(world, "proxy.gpt-4.1"))).text).toBe("proxy.gpt-4.1 as gpt-4.1");
  });

  it("stops the upstream when the signal aborts", async () => {
    const world = new InMemoryWorld();
    world.addUpstreamModel("gpt-small", textChunks("one", "two", "three"));
    const controller = new AbortController();
    const chunks = await call(world, "gpt-small", controller.signal);
    expect((await chunks.next()).value?.choices[0]?.delta.content).toBe("one");
    controller.abort(new Error("client went away"));
    await expect(chunks.next()).rejects.toThrow("client went away");
  });
});
