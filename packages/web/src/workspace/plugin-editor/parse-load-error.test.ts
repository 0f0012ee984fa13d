import { describe, expect, it } from "vitest";
import { parseLoadError } from "./parse-load-error.ts";

describe("parseLoadError", () => {
  it("reads the line and column of a syntax error", () => {
    const detail = 'Syntax error at line 4, column 12: Expected ";" but found "x"';
    expect(parseLoadError(detail)).toEqual({ line: 4, column: 12, message: detail });
  });

  it("reads a refused import's position", () => {
    expect(parseLoadError('Import "fs" at line 2, column 1 is not allowed: only @sluice/sdk and zod')).toMatchObject({
      line: 2,
      column: 1,
    });
  });

  it("reads a stack frame of a throw at load", () => {
    expect(parseLoadError("Plugin threw while loading: Error: boom\n    at plugin.ts:7:9")).toMatchObject({ line: 7, column: 9 });
  });

  it("gives nothing for an error without a place", () => {
    expect(parseLoadError("The module has no plugin export")).toBeUndefined();
  });
});
