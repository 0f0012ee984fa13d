import { describe, expect, it } from "vitest";
import type { EventSink } from "./ports.ts";
import { sendPipelineEvent } from "./send-pipeline-event.ts";
import { ADA, InMemoryWorld } from "./testing/in-memory-ports.ts";

describe("sendPipelineEvent", () => {
  it("delivers the event to the request's sink", async () => {
    const world = new InMemoryWorld();
    const sink = world.ports.events.forRequest(ADA, { chatId: "c1", sessionId: "s1" });
    await sendPipelineEvent(world.ports.log, sink, { type: "status", data: { description: "Running tool" } });
    expect(world.events).toMatchObject([{ event: { type: "status", data: { description: "Running tool" } }, live: true, chatId: "c1" }]);
  });

  it("logs a sink that fails and resolves, so the answer goes on", async () => {
    const world = new InMemoryWorld();
    const failing: EventSink = {
      emit: async () => {
        throw new Error("Redis is down");
      },
      call: async () => null,
      canCall: false,
    };
    await expect(sendPipelineEvent(world.ports.log, failing, { type: "chat:outlet", data: {} })).resolves.toBeUndefined();
    expect(world.logs).toMatchObject([{ level: "warn", fields: { type: "chat:outlet", err: { message: "Redis is down" } } }]);
  });
});
