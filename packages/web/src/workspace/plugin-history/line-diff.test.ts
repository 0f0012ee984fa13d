import { describe, expect, it } from "vitest";
import { foldUnchanged, lineDiff } from "./line-diff.ts";

const kinds = (oldText: string, newText: string) => lineDiff(oldText, newText).map((line) => `${line.kind[0]} ${line.text}`);

describe("lineDiff", () => {
  it("marks a changed line as removed and added, keeping the rest", () => {
    expect(kinds("a\nb\nc\n", "a\nB\nc\n")).toEqual(["s a", "r b", "a B", "s c"]);
  });

  it("finds lines inserted and deleted in the middle, with both line numbers", () => {
    const diff = lineDiff("one\ntwo\nthree\nfour", "one\nthree\nthree and a half\nfour");
    expect(diff).toEqual([
      { kind: "same", text: "one", oldNumber: 1, newNumber: 1 },
      { kind: "removed", text: "two", oldNumber: 2 },
      { kind: "same", text: "three", oldNumber: 3, newNumber: 2 },
      { kind: "added", text: "three and a half", newNumber: 3 },
      { kind: "same", text: "four", oldNumber: 4, newNumber: 4 },
    ]);
  });

  it("treats CRLF like LF and a missing last newline like a present one", () => {
    expect(kinds("a\r\nb", "a\nb\n")).toEqual(["s a", "s b"]);
  });

  it("handles empty texts", () => {
    expect(kinds("", "x\n")).toEqual(["a x"]);
    expect(kinds("x", "")).toEqual(["r x"]);
    expect(kinds("", "")).toEqual([]);
  });
});

describe("foldUnchanged", () => {
  it("keeps three lines around a change and folds the rest", () => {
    const before = Array.from({ length: 20 }, (_, index) => `line ${index + 1}`).join("\n");
    const after = before.replace("line 10", "line ten");
    const hunks = foldUnchanged(lineDiff(before, after));
    expect(hunks.map((hunk) => (hunk.kind === "folded" ? `folded ${hunk.count}` : hunk.lines.map((line) => line.text).join(",")))).toEqual([
      "folded 6",
      "line 7,line 8,line 9,line 10,line ten,line 11,line 12,line 13",
      "folded 7",
    ]);
  });

  it("folds identical texts into one run", () => {
    expect(foldUnchanged(lineDiff("a\nb", "a\nb"))).toEqual([{ kind: "folded", count: 2 }]);
  });
});
