import { describe, expect, it } from "vitest";
import { derivePluginId, isValidPluginId } from "./derive-plugin-id.ts";
import { guessPluginKind, parseFrontmatter } from "@sluice/sdk/wire";
import { PLUGIN_TEMPLATES } from "./plugin-editor/plugin-templates.ts";

describe("parseFrontmatter", () => {
  it("reads the leading comment's keys", () => {
    expect(parseFrontmatter("/**\n * title: Turn Limit\n * Author: jane\n * version: 1.2.0\n */\nexport default 1;")).toEqual({
      title: "Turn Limit",
      author: "jane",
      version: "1.2.0",
    });
  });

  it("ignores a comment that is not first", () => {
    expect(parseFrontmatter('import x from "y";\n/** title: No */')).toEqual({});
  });
});

describe("derivePluginId", () => {
  it("makes an id the server accepts", () => {
    expect(derivePluginId("Turn Limit 2")).toBe("turn_limit_2");
    expect(derivePluginId("redact-emails.ts")).toBe("redact_emails");
    expect(derivePluginId("Crème brûlée!")).toBe("creme_brulee");
    expect(isValidPluginId(derivePluginId("x".repeat(80)))).toBe(true);
    expect(isValidPluginId("Bad id")).toBe(false);
  });
});

describe("guessPluginKind", () => {
  it("recognises each template's kind and the class form", () => {
    for (const [kind, source] of Object.entries(PLUGIN_TEMPLATES)) expect(guessPluginKind(source)).toBe(kind);
    expect(guessPluginKind("export class Filter { inlet(body) { return body; } }")).toBe("filter");
    expect(guessPluginKind("export const x = 1;")).toBeUndefined();
  });
});
