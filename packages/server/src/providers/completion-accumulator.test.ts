import type { ChatCompletion, StreamEvent } from "@sluice/sdk";
import { describe, expect, it } from "vitest";
import { collectCompletion, CompletionAccumulator } from "./completion-accumulator.ts";
import { completionToChunks } from "./completion-to-chunks.ts";

const chunk = (delta: StreamEvent["choices"][number]["delta"], finish_reason: string | null = null): StreamEvent => ({
  id: "c1",
  created: 5,
  model: "m",
  choices: [{ index: 0, delta, finish_reason }],
});

describe("CompletionAccumulator", () => {
  it("concatenates content and reasoning and keeps the finish reason and usage", () => {
    const accumulator = new CompletionAccumulator();
    for (const value of [
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning_content: "think" }),
      chunk({ content: "Hel" }),
      chunk({ content: "lo" }),
      chunk({}, "stop"),
      { choices: [], usage: { total_tokens: 9 } },
    ]) {
      accumulator.add(value);
    }
    expect(accumulator.toCompletion()).toEqual({
      id: "c1",
      object: "chat.completion",
      created: 5,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello", reasoning_content: "think" }, finish_reason: "stop" }],
      usage: { total_tokens: 9 },
    });
  });

  it("merges tool-call deltas by index, arguments arriving in pieces", () => {
    const accumulator = new CompletionAccumulator();
    accumulator.add(
      chunk({
        role: "assistant",
        content: null,
        tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "" } }],
      }),
    );
    accumulator.add(chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "time", arguments: "{}" } }] }));
    accumulator.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } } as never] }));
    accumulator.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } } as never] }));
    accumulator.add(chunk({}, "tool_calls"));
    const message = accumulator.toCompletion().choices[0]!.message;
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([
      { id: "call_a", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
      { id: "call_b", type: "function", function: { name: "time", arguments: "{}" } },
    ]);
  });

  it("accepts whole tool calls without an index, and a name repeated in every delta", () => {
    const accumulator = new CompletionAccumulator();
    accumulator.add(
      chunk({
        tool_calls: [
          { id: "x", function: { name: "a", arguments: "{}" } },
          { id: "y", function: { name: "b", arguments: "{}" } },
        ] as never,
      }),
    );
    accumulator.add(chunk({ tool_calls: [{ index: 0, function: { name: "a", arguments: "" } }] as never }));
    expect(accumulator.toCompletion().choices[0]!.message.tool_calls?.map((call) => call.function.name)).toEqual(["a", "b"]);
  });
});

describe("completionToChunks", () => {
  it("gives chunks that assemble back into the same answer", async () => {
    const completion: ChatCompletion = {
      id: "c9",
      object: "chat.completion",
      created: 7,
      model: "m",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    const chunks = completionToChunks(completion);
    expect(chunks.map((value) => value.object)).toEqual(["chat.completion.chunk", "chat.completion.chunk", "chat.completion.chunk"]);
    expect(chunks[0]!.choices[0]!.delta.tool_calls?.[0]?.index).toBe(0);
    async function* replay() {
      yield* chunks;
    }
    expect(await collectCompletion(replay())).toEqual(completion);
  });
});
