import { describe, expect, it } from "vitest";
import { ADA, InMemoryWorld, textChunks } from "../core/testing/in-memory-ports.ts";
import { modelMethods } from "./model-methods.ts";
import { PluginApi, type PluginApiScope } from "./plugin-api.ts";

function setUp() {
  const world = new InMemoryWorld();
  world.addUpstreamModel("gpt-small", textChunks("one ", "two"));
  const ports = world.ports;
  const api = new PluginApi(modelMethods(() => ports));
  const call = new AbortController();
  const scope: PluginApiScope = { namespace: "function", pluginId: "caller", userId: ADA.id, user: ADA, depth: 0, signal: call.signal };
  const ask = { model: "gpt-small", messages: [{ role: "user", content: "hi" }], stream: true };
  return { world, api, call, scope, ask };
}

describe("modelMethods: the ctx.models stream over the service channel", () => {
  it("hands out chunks one by one until done, then forgets the stream", async () => {
    const { world, api, scope, ask } = setUp();
    const { stream } = (await api.serve(scope, "models.complete", [ask, { filters: true }])) as { stream: string };
    const pieces: unknown[] = [];
    for (;;) {
      const step = (await api.serve(scope, "models.next", [stream])) as {
        done: boolean;
        chunk?: { choices: Array<{ delta: { content?: string } }> };
      };
      if (step.done) break;
      pieces.push(step.chunk!.choices[0]!.delta.content);
    }
    expect(pieces.join("")).toBe("one two");
    await expect(api.serve(scope, "models.next", [stream])).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(world.openSessions).toBe(0);
  });

  it("keeps a stream to the plugin and user that opened it", async () => {
    const { api, scope, ask } = setUp();
    const { stream } = (await api.serve(scope, "models.complete", [ask])) as { stream: string };
    for (const other of [
      { ...scope, pluginId: "snooper" },
      { ...scope, userId: "bob" },
    ]) {
      await expect(api.serve(other, "models.next", [stream])).rejects.toMatchObject({ code: "NOT_FOUND" });
      await api.serve(other, "models.close", [stream]);
    }
    expect(await api.serve(scope, "models.next", [stream])).toMatchObject({ done: false });
  });

  it("closes what the plugin left open when its hook call ends, letting go of the turn's plugins", async () => {
    const { world, api, call, scope, ask } = setUp();
    const { stream } = (await api.serve(scope, "models.complete", [ask])) as { stream: string };
    expect(world.openSessions).toBe(1);
    call.abort(new Error("The hook call has ended"));
    await expect.poll(() => world.openSessions).toBe(0);
    await expect(api.serve(scope, "models.next", [stream])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("needs the user a call runs for, and checks the request", async () => {
    const { api, scope, ask } = setUp();
    const { user: _user, ...withoutUser } = scope;
    await expect(api.serve({ ...withoutUser, userId: null }, "models.complete", [ask])).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("ctx.models needs the user"),
    });
    await expect(api.serve(scope, "models.complete", [{ model: "gpt-small", messages: [] }])).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("ctx.models.complete: argument 1 (messages)"),
    });
  });
});
