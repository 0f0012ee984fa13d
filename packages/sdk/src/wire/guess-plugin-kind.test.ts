import { describe, expect, it } from "vitest";
import { guessPluginKind } from "./plugin-source.ts";

describe("guessPluginKind", () => {
  it("takes the kind of the default export's define call, whatever else the file mentions", () => {
    expect(
      guessPluginKind(
        'import { defineTools } from "@sluice/sdk";\n// see definePipe( for pipes\nexport default defineTools({ tools: {} });',
      ),
    ).toBe("tools");
    expect(guessPluginKind("const helper = defineFilter({ inlet: (b) => b });\nexport default definePipe({ pipe: () => 'hi' });")).toBe(
      "pipe",
    );
  });

  it("falls back on the first define call, then on Open WebUI's class names", () => {
    expect(guessPluginKind("const plugin = defineAction({ action: () => {} });\nexport default plugin;")).toBe("action");
    expect(guessPluginKind("export class Filter { inlet(body) { return body; } }")).toBe("filter");
    expect(guessPluginKind("class Tools:\n    def search(self, query: str) -> str:\n        return query\n")).toBe("tools");
    expect(guessPluginKind("export const x = 1;")).toBeUndefined();
  });

  it("knows event plugins: defineEvents and Open WebUI's class Event (kind events)", () => {
    expect(guessPluginKind('export default defineEvents({ on: { "chat.created": () => {} } });')).toBe("events");
    expect(guessPluginKind("class Event:\n    async def event(self, event):\n        pass\n")).toBe("events");
  });
});
