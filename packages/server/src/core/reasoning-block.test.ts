import { afterEach, describe, expect, it, vi } from "vitest";
import { ReasoningCollector, reasoningBlock } from "./reasoning-block.ts";

describe("reasoningBlock", () => {
  it("writes Open WebUI's reasoning block, its lines quoted", () => {
    expect(reasoningBlock("First.\n\nThen.", 2.4)).toBe(
      '<details type="reasoning" done="true" duration="2">\n<summary>Thought for 2 seconds</summary>\n> First.\n>\n> Then.\n</details>\n',
    );
  });
});

describe("ReasoningCollector", () => {
  afterEach(() => vi.useRealTimers());

  it("gives the reasoning once, timed from its first delta, and nothing when there was none", () => {
    vi.useFakeTimers({ now: 1_000 });
    const collector = new ReasoningCollector();
    expect(collector.take()).toBe("");
    collector.add({ reasoning_content: "Hmm" });
    vi.setSystemTime(4_000);
    collector.add({ reasoning: ", yes." });
    collector.add({ content: "ignored" } as Record<string, unknown>);
    expect(collector.take()).toContain('duration="3"');
    expect(collector.take()).toBe("");
  });
});
