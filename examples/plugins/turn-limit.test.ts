import { describe, expect, it } from "vitest";
import type { ChatBody } from "@sluice/sdk";
import { createTestHarness } from "@sluice/sdk/testing";
import turnLimit from "./turn-limit.ts";

const chat = (userTurns: number): ChatBody => ({
  model: "gpt-4o-mini",
  messages: Array.from({ length: userTurns }, (_, index) => ({ role: "user", content: `question ${index + 1}` })),
});

describe("turn-limit", () => {
  it("lets a conversation under the limit through unchanged and reports the turn", async () => {
    const harness = createTestHarness(turnLimit);
    const body = chat(2);
    expect(await harness.inlet(body)).toEqual(chat(2));
    expect(harness.eventsOfType("status")).toEqual([{ type: "status", data: { description: "Turn 2 of 4", done: true } }]);
  });

  it("uses the lower of the admin's and the user's limits", async () => {
    const harness = createTestHarness(turnLimit, { valves: { maxTurns: 3 }, userValves: { maxTurns: 10 } });
    await expect(harness.inlet(chat(3))).resolves.toBeDefined();
    await expect(harness.inlet(chat(4))).rejects.toThrow("Limit of 3 turns reached");
  });

  it("aborts the turn with the limit in the message, emitting nothing", async () => {
    const harness = createTestHarness(turnLimit, { userValves: { maxTurns: 1 } });
    await expect(harness.inlet(chat(2))).rejects.toMatchObject({
      code: "PLUGIN_ERROR",
      message: "Limit of 1 turns reached",
      hook: "inlet",
    });
    expect(harness.events).toEqual([]);
  });

  it("refuses a limit below one when an admin or user saves it", () => {
    const harness = createTestHarness(turnLimit);
    expect(harness.validateValves("userValves", { maxTurns: 0 })).toMatchObject({ ok: false, issues: [{ path: "maxTurns" }] });
    expect(harness.validateValves("valves", { maxTurns: 5, priority: null })).toEqual({
      ok: true,
      stored: { maxTurns: 5 },
      effective: { priority: 0, maxTurns: 5 },
    });
  });
});
