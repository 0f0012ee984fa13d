import { describe, expect, it } from "vitest";
import { normalizeMathDelimiters } from "./normalize-math-delimiters.ts";

describe("normalizeMathDelimiters", () => {
  it("turns \\(…\\) into $…$ and keeps the LaTeX inside as it is", () => {
    expect(normalizeMathDelimiters("so \\( a_1 + \\frac{b}{c} \\\\ d \\) holds")).toBe("so $a_1 + \\frac{b}{c} \\\\ d$ holds");
  });

  it("puts \\[…\\] alone on its line as display math on lines of its own", () => {
    expect(normalizeMathDelimiters("\\[ \\sum_{i=1}^n i \\]")).toBe("$$\n\\sum_{i=1}^n i\n$$");
    expect(normalizeMathDelimiters("Sum:\n\\[\n\\sum_{i=1}^n i\n\\]\nDone.")).toBe("Sum:\n$$\n\\sum_{i=1}^n i\n$$\nDone.");
  });

  it("keeps \\[…\\] inside a line of text inline", () => {
    expect(normalizeMathDelimiters("where \\[x\\] is")).toBe("where $$x$$ is");
  });

  it("splits display math that starts or ends beside other text onto lines of its own", () => {
    expect(normalizeMathDelimiters("where \\[ a = b \\\\\n c = d \\] holds")).toBe("where \n$$\na = b \\\\\n c = d \n$$\nholds");
    expect(normalizeMathDelimiters("$$a\nb$$\n\nnext")).toBe("$$\na\nb\n$$\n\nnext");
  });

  it("keeps display math inside a blockquote or a list item", () => {
    expect(normalizeMathDelimiters("> \\[\n> x\n> \\]")).toBe("> $$\n> x\n> $$");
    expect(normalizeMathDelimiters("- \\[ x \\]\n- next")).toBe("- $$\n  x\n  $$\n- next");
  });

  it("leaves well-formed $ and $$ math alone", () => {
    for (const text of ["$x^2$ and $y$", "$$\n\\frac{1}{2}\n$$", "a $$x$$ b", "> $$\n> x\n> $$"]) {
      expect(normalizeMathDelimiters(text)).toBe(text);
    }
  });

  it("escapes dollars that cannot be math, so prices stay text", () => {
    expect(normalizeMathDelimiters("it costs $5 and $10")).toBe("it costs \\$5 and \\$10");
    expect(normalizeMathDelimiters("from $5-$10, or $x$")).toBe("from \\$5-\\$10, or $x$");
    expect(normalizeMathDelimiters("pay $ 5 now")).toBe("pay \\$ 5 now");
    expect(normalizeMathDelimiters("already \\$5")).toBe("already \\$5");
  });

  it("leaves code spans and fenced code blocks untouched", () => {
    const text = "use `\\(x\\)` or ``$y$``\n\n```tex\n\\[ z \\] costs $5\n```\n\n> ~~~\n> $5 \\(a\\)\n> ~~~";
    expect(normalizeMathDelimiters(text)).toBe(text);
  });

  it("converts again after a fence closes, and does not pair math across paragraphs", () => {
    expect(normalizeMathDelimiters("```\n$5\n```\n\\(a\\)")).toBe("```\n$5\n```\n$a$");
    expect(normalizeMathDelimiters("\\(a\n\nb\\)")).toBe("\\(a\n\nb\\)");
  });

  it("leaves a delimiter without its end (an answer still streaming) as it is", () => {
    expect(normalizeMathDelimiters("so \\[ x + ")).toBe("so \\[ x + ");
    expect(normalizeMathDelimiters("so $$ x + ")).toBe("so $$ x + ");
  });
});
