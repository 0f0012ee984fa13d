import { describe, expect, it } from "vitest";
import { AnswerLength, chunkTextLength } from "./answer-length.ts";

const text = (content: string) => ({ choices: [{ index: 0, delta: { content } }] });

describe("AnswerLength", () => {
  it("counts content, reasoning and tool-call text", () => {
    const chunk = {
      choices: [
        {
          index: 0,
          delta: { content: "ab", reasoning_content: "cde", tool_calls: [{ index: 0, function: { name: "f", arguments: "{}" } }] },
        },
      ],
    };
    expect(chunkTextLength(chunk)).toBe(8);
  });

  it("takes chunks up to the limit and refuses the one that passes it", () => {
    const length = new AnswerLength(5);
    length.add(text("abc"));
    length.add(text("de"));
    expect(() => length.add(text("f"))).toThrow(
      expect.objectContaining({ code: "PAYLOAD_TOO_LARGE", message: expect.stringContaining("5 characters") }),
    );
  });
});
