import { describe, expect, it } from "vitest";
import { packageNameOf, parseRequirements } from "./parse-requirements.ts";

describe("parseRequirements", () => {
  it("reads registry package specs, with or without versions", () => {
    expect(parseRequirements(" ms@2, lodash-es ,@scope/pkg@^1.2.0, date-fns@>=4 <5,")).toEqual([
      { spec: "ms@2", name: "ms" },
      { spec: "lodash-es", name: "lodash-es" },
      { spec: "@scope/pkg@^1.2.0", name: "@scope/pkg" },
      { spec: "date-fns@>=4 <5", name: "date-fns" },
    ]);
    expect(parseRequirements(undefined)).toEqual([]);
  });

  it.each([
    "git+https://github.com/a/b.git",
    "file:../secrets",
    "https://example.com/x.tgz",
    "ms@npm:evil",
    "ms@github:a/b",
    "Big-Name",
    "../x",
    "ms@2;rm -rf",
  ])("refuses %s with a clear message", (spec) => {
    expect(() => parseRequirements(spec)).toThrow(`requirements: "${spec}" is not an npm registry package`);
  });

  it("refuses a package listed twice", () => {
    expect(() => parseRequirements("ms@2, ms@3")).toThrow('requirements: "ms" is listed twice');
  });

  it("names the package of a bare import", () => {
    expect(packageNameOf("lodash-es/chunk.js")).toBe("lodash-es");
    expect(packageNameOf("@scope/pkg/sub")).toBe("@scope/pkg");
  });
});
