import { describe, expect, it } from "vitest";
import { contentText } from "./content-text.ts";

describe("contentText", () => {
  it("shows text parts and marks images, so a stored list of parts renders", () => {
    expect(
      contentText([
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "data:," } },
      ]),
    ).toBe("What is this?\n[image]");
    expect(contentText("plain")).toBe("plain");
    expect(contentText(null)).toBe("");
  });
});
