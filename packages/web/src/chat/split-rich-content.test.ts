import { describe, expect, it } from "vitest";
import { splitRichContent } from "./split-rich-content.ts";

describe("splitRichContent", () => {
  it("finds Open WebUI's reasoning block with its duration and summary", () => {
    const text = '<details type="reasoning" done="true" duration="4">\n<summary>Thought for 4 seconds</summary>\n> Hmm.\n</details>\nHello';
    expect(splitRichContent(text)).toEqual([
      {
        kind: "details",
        type: "reasoning",
        summary: "Thought for 4 seconds",
        body: "> Hmm.",
        isDone: true,
        durationSeconds: 4,
        attributes: { type: "reasoning", done: "true", duration: "4" },
      },
      { kind: "markdown", text: "\nHello" },
    ]);
  });

  it("reads <think> blocks anywhere, and one still open as streaming", () => {
    const [before, thought, after] = splitRichContent("Intro <think>a\nb</think> done");
    expect(before).toEqual({ kind: "markdown", text: "Intro " });
    expect(thought).toMatchObject({ kind: "details", type: "reasoning", body: "a\nb", isDone: true, durationSeconds: null });
    expect(after).toEqual({ kind: "markdown", text: " done" });
    expect(splitRichContent("<think>still going")).toEqual([
      expect.objectContaining({ type: "reasoning", body: "still going", isDone: false }),
    ]);
  });

  it("keeps tool calls' attributes (unescaped) and nested details inside their block", () => {
    const text =
      '<details type="tool_calls" done="true" name="get_weather" arguments="{&quot;city&quot;:&quot;Paris&quot;}" result="&quot;Sunny&quot;">\n<summary>Tool Executed</summary>\n<details><summary>inner</summary>x</details>\n</details>';
    const [call] = splitRichContent(text);
    expect(call).toMatchObject({
      kind: "details",
      type: "tool_calls",
      summary: "Tool Executed",
      attributes: { name: "get_weather", arguments: '{"city":"Paris"}', result: '"Sunny"' },
      body: "<details><summary>inner</summary>x</details>",
    });
  });

  it('marks done="false" blocks as streaming and leaves plain text alone', () => {
    expect(splitRichContent('<details type="reasoning" done="false">\n<summary>Thinking…</summary>\n> a\n</details>')[0]).toMatchObject({
      isDone: false,
    });
    expect(splitRichContent("Just **text**")).toEqual([{ kind: "markdown", text: "Just **text**" }]);
  });
});
