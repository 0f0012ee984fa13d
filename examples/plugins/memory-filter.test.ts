import { describe, expect, it } from "vitest";
import { createTestHarness } from "@sluice/sdk/testing";
import memoryFilter from "./memory-filter.ts";

const ask = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user" as const, content }] });

describe("memory filter", () => {
  it("puts the user's matching memories before the conversation and says so", async () => {
    const harness = createTestHarness(memoryFilter, {
      memories: { "user-1": ["Takes tea without sugar", "Lives in Oslo", "Has a cat named Miso"] },
    });
    const body = await harness.inlet(ask("What should I name a second cat?"));
    expect(body.messages[0]).toEqual({ role: "system", content: "What you know about the user:\n- Has a cat named Miso" });
    expect(body.messages[1]).toEqual({ role: "user", content: "What should I name a second cat?" });
    expect(harness.eventsOfType("status")[0]!.data.description).toBe("Recalled 1 memories");
  });

  it("leaves the body alone when nothing matches, or when the user switched it off", async () => {
    const harness = createTestHarness(memoryFilter, { memories: { "user-1": ["Lives in Oslo"] } });
    expect(await harness.inlet(ask("Tell me a joke"))).toEqual(ask("Tell me a joke"));
    expect(await harness.inlet(ask("Weather in Oslo?"), { userValves: { enabled: false } })).toEqual(ask("Weather in Oslo?"));
  });

  it("remembers what the user asks it to remember, for that user only", async () => {
    const harness = createTestHarness(memoryFilter);
    const outlet = {
      model: "gpt-4o-mini",
      messages: [
        { role: "user" as const, content: "Please remember that I take my tea without sugar." },
        { role: "assistant" as const, content: "Noted!" },
      ],
    };
    await harness.outlet(outlet);
    await harness.outlet({ ...outlet, messages: [{ role: "user" as const, content: "What is 2 + 2?" }] }, { user: { id: "user-2" } });
    expect(harness.memories).toEqual({ "user-1": ["I take my tea without sugar"] });
  });
});
