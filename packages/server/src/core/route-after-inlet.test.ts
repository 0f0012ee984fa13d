import { describe, expect, it } from "vitest";
import { startChatTurn } from "./start-chat-turn.ts";
import { ADA, functionRecord, InMemoryWorld, modelRecord, readAnswer, textChunks } from "./testing/in-memory-ports.ts";

/** A world with two upstream models that say who they are, and a filter whose inlet sends the turn to `target`. */
function routingWorld(target: unknown) {
  const world = new InMemoryWorld();
  for (const id of ["gpt-small", "gpt-vision"]) world.addUpstreamModel(id, textChunks(`${id} here`));
  world.addFunction(functionRecord("router", "filter"), {
    hooks: {
      inlet: (body) => ({ ...(body as object), model: target }),
      outlet: (body) => body,
    },
    stream: (chunk) => chunk,
  });
  return world;
}

const request = { model: "gpt-small", messages: [{ role: "user" as const, content: "look at this" }], stream: true };

describe("routeAfterInlet (through startChatTurn)", () => {
  it("sends the turn to the model an inlet chose, keeping the filters of the model the request named", async () => {
    const world = routingWorld("gpt-vision");
    world.modelRows.set("gpt-vision", modelRecord("gpt-vision", { params: { system: "You see images.", temperature: 0.3 } }));
    let modelOfPipeline: unknown;
    world.addFunction(functionRecord("watcher", "filter"), {
      hooks: { outlet: (body, context) => ((modelOfPipeline = context.model), body) },
    });

    const turn = await startChatTurn(world.ports, { user: ADA, request, signal: new AbortController().signal });
    const answer = await readAnswer(turn.chunks);

    expect(answer.text).toBe("gpt-vision here");
    expect(turn.model.id).toBe("gpt-vision");
    expect(answer.chunks[0]!.model).toBe("gpt-vision");
    expect(world.upstreamBodies).toHaveLength(1);
    // The new model's own settings apply.
    expect(world.upstreamBodies[0]).toMatchObject({
      model: "gpt-vision",
      temperature: 0.3,
      messages: [
        { role: "system", content: "You see images." },
        { role: "user", content: "look at this" },
      ],
    });
    expect(world.calls.map((call) => `${call.pluginId}.${call.hook}`)).toEqual([
      "router.inlet",
      "router.stream",
      "router.stream",
      "router.outlet",
      "watcher.outlet",
    ]);
    expect(modelOfPipeline).toMatchObject({ id: "gpt-vision" });
    expect(world.calls.at(-1)!.metadata.model).toBe("gpt-vision");
  });

  it("refuses a model the user may not use with FORBIDDEN, and calls no model", async () => {
    const world = routingWorld("gpt-vision");
    world.modelRows.set("gpt-vision", modelRecord("gpt-vision", { access_control: {} })); // owner (admin) only
    await expect(startChatTurn(world.ports, { user: ADA, request, signal: new AbortController().signal })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: 'An inlet filter sent this turn to model "gpt-vision", which is not available to you',
    });
    expect(world.upstreamBodies).toEqual([]);
    expect(world.openSessions).toBe(0);
  });

  it("refuses a model that does not exist the same way, so a hidden model looks missing", async () => {
    const world = routingWorld("no-such-model");
    await expect(startChatTurn(world.ports, { user: ADA, request, signal: new AbortController().signal })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: 'An inlet filter sent this turn to model "no-such-model", which is not available to you',
    });
  });

  it("says what is wrong with a model that is not an id", async () => {
    const world = routingWorld(42);
    await expect(startChatTurn(world.ports, { user: ADA, request, signal: new AbortController().signal })).rejects.toMatchObject({
      code: "PLUGIN_ERROR",
      message: "An inlet filter set the model to 42; set it to a model id (a string)",
    });
  });

  it("leaves the turn where it was when the inlet keeps the model", async () => {
    const world = routingWorld("gpt-small");
    const answer = await readAnswer(
      (await startChatTurn(world.ports, { user: ADA, request, signal: new AbortController().signal })).chunks,
    );
    expect(answer.text).toBe("gpt-small here");
  });
});
