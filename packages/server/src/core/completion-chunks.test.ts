import { describe, expect, it } from "vitest";
import type { StreamDelta, StreamEvent } from "@sluice/sdk";
import { buildCompletion, contentChunk, toStreamEvents, TurnAccumulator } from "./completion-chunks.ts";

const base = { id: "chatcmpl-1", model: "echo.small", created: 1700000000 };

describe("toStreamEvents", () => {
  it("turns a string into a content chunk with this answer's id and model", () => {
    expect(toStreamEvents("hello", base)).toEqual([contentChunk(base, "hello")]);
    expect(toStreamEvents("", base)).toEqual([]);
  });

  it("parses SSE lines a proxying pipe yields", () => {
    const line = 'data: {"id":"x","model":"upstream","choices":[{"index":0,"delta":{"content":"hi"}}]}';
    const [chunk] = toStreamEvents(line, base);
    expect(chunk).toMatchObject({ id: "chatcmpl-1", model: "echo.small", choices: [{ delta: { content: "hi" } }] });
    expect(toStreamEvents("data: [DONE]", base)).toEqual([]);
  });

  it("splits a whole completion into content, tool calls and finish", () => {
    const chunks = toStreamEvents(
      {
        id: "c",
        object: "chat.completion",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "ok",
              tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { total_tokens: 3 },
      },
      base,
    );
    const accumulator = new TurnAccumulator();
    chunks.forEach((chunk) => accumulator.add(chunk));
    expect(accumulator.content).toBe("ok");
    expect(accumulator.toolCalls).toEqual([{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }]);
    expect(accumulator.finishReason).toBe("tool_calls");
    expect(accumulator.usage).toEqual({ total_tokens: 3 });
  });

  it("uses {content} and stringifies other objects", () => {
    expect(toStreamEvents({ content: "x" }, base)[0]!.choices[0]!.delta.content).toBe("x");
    expect(toStreamEvents({ answer: 42 }, base)[0]!.choices[0]!.delta.content).toBe('{"answer":42}');
  });
});

describe("TurnAccumulator", () => {
  it("assembles tool calls streamed in pieces by index", () => {
    const accumulator = new TurnAccumulator();
    const chunk = (delta: StreamDelta, finish: string | null = null): StreamEvent => ({
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    accumulator.add(chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_", arguments: "" } }] }));
    accumulator.add(chunk({ tool_calls: [{ index: 0, function: { name: "weather", arguments: '{"city":' } }] }));
    accumulator.add(chunk({ tool_calls: [{ index: 1, id: "call_b", function: { name: "other", arguments: "{}" } }] }));
    accumulator.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }, "tool_calls"));
    expect(accumulator.toolCalls).toEqual([
      { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
      { id: "call_b", type: "function", function: { name: "other", arguments: "{}" } },
    ]);
    expect(accumulator.finishReason).toBe("tool_calls");
  });

  it("builds the JSON answer from the streamed text", () => {
    expect(buildCompletion(base, "hi", "stop")).toMatchObject({
      object: "chat.completion",
      model: "echo.small",
      choices: [{ message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
    });
  });
});
