import { describe, expect, it } from "vitest";
import { isPdf, isTextLike } from "./text-like.ts";

describe("isTextLike and isPdf", () => {
  it("takes text types, structured text types and untyped files with a text file's name", () => {
    for (const type of ["text/plain", "text/markdown", "text/csv", "application/json", "application/vnd.api+json", "image/svg+xml"]) {
      expect(isTextLike(type, "x"), type).toBe(true);
    }
    expect(isTextLike("application/octet-stream", "notes.MD")).toBe(true);
    expect(isTextLike("application/octet-stream", "data.bin")).toBe(false);
    expect(isTextLike("application/zip", "code.py")).toBe(false);
    expect(isTextLike("image/png", "cat.png")).toBe(false);
  });

  it("knows a PDF by its type, or an untyped file by its name", () => {
    expect(isPdf("application/pdf", "x")).toBe(true);
    expect(isPdf("application/octet-stream", "Report.PDF")).toBe(true);
    expect(isPdf("text/plain", "x.pdf")).toBe(false);
  });
});
