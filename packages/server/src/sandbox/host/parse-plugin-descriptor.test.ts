import { describe, expect, it } from "vitest";
import { parsePluginDescriptor } from "./parse-plugin-descriptor.ts";

describe("parsePluginDescriptor", () => {
  it("reads a descriptor from JSON text or a copied value", () => {
    expect(parsePluginDescriptor('{"kind":"pipe","hooks":["pipe"]}', "p")).toEqual({ kind: "pipe", hooks: ["pipe"] });
    expect(parsePluginDescriptor({ kind: "tools", tools: [] }, "p")).toEqual({ kind: "tools", tools: [] });
  });

  it("refuses anything else as PLUGIN_LOAD_FAILED", () => {
    for (const answer of ['{"kind":"rootkit"}', "not json", null, 7]) {
      expect(() => parsePluginDescriptor(answer, "p")).toThrow(
        expect.objectContaining({ code: "PLUGIN_LOAD_FAILED", message: "The plugin runtime returned no valid description of the plugin" }),
      );
    }
  });
});
