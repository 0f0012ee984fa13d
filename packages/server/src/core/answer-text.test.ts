import { describe, expect, it } from "vitest";
import { AnswerText } from "./answer-text.ts";

describe("AnswerText", () => {
  it("keeps the model's text and what plugins' message events added, in the order they came", () => {
    const answer = new AnswerText();
    answer.applyEvent({ type: "message", data: { content: "Searching…\n" } });
    answer.append("Found ");
    answer.append("it.");
    answer.applyEvent({ type: "message", data: { content: "\n(source: wiki)" } });
    expect(answer.text).toBe("Searching…\nFound it.\n(source: wiki)");
  });

  it("lets a replace event set the whole text, and the model's text goes on after it", () => {
    const answer = new AnswerText();
    answer.append("secret: 1234");
    answer.applyEvent({ type: "replace", data: { content: "[redacted]" } });
    answer.append(" done");
    expect(answer.text).toBe("[redacted] done");
  });

  it("ignores other events and events without text content", () => {
    const answer = new AnswerText();
    answer.append("hi");
    answer.applyEvent({ type: "status", data: { content: "not text", description: "Working" } });
    answer.applyEvent({ type: "message", data: { content: 42 } });
    answer.applyEvent({ type: "replace", data: null });
    answer.applyEvent({ type: "replace" });
    expect(answer.text).toBe("hi");
  });
});
