import { describe, expect, it } from "vitest";
import { fileIdsOf } from "./file-references.ts";

describe("fileIdsOf", () => {
  it("finds the ids of Open WebUI's file entries, each once, and skips what names no stored file", () => {
    expect(
      fileIdsOf([
        { type: "file", id: "a" },
        { id: "b" },
        { type: "file", file: { id: "c" }, id: undefined },
        { type: "image", id: "d" },
        { type: "file", id: "a" },
        { type: "web", url: "https://example.com/x" },
        { type: "collection", id: "knowledge-1" },
        null,
        "e",
        { type: "file", id: 7 },
      ]),
    ).toEqual(["a", "b", "c", "d"]);
    expect(fileIdsOf(undefined)).toEqual([]);
    expect(fileIdsOf({ id: "a" })).toEqual([]);
  });
});
