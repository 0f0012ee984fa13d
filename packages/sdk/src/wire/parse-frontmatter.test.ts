import { describe, expect, it } from "vitest";
import { parseFrontmatter } from "./plugin-source.ts";

describe("parseFrontmatter", () => {
  it("reads key: value lines of a leading /** */ comment", () => {
    const source = [
      "/**",
      " * title: Turn Limit",
      " * author: jane",
      " * version: 1.2.0",
      " * description: Stops a conversation after N user turns.",
      " * required_sluice_version: >=0.1",
      " */",
      'import { defineFilter } from "@sluice/sdk";',
    ].join("\n");
    expect(parseFrontmatter(source)).toEqual({
      title: "Turn Limit",
      author: "jane",
      version: "1.2.0",
      description: "Stops a conversation after N user turns.",
      required_sluice_version: ">=0.1",
    });
  });

  it("accepts /* */, a shebang, blank lines, CRLF and a byte-order mark before it", () => {
    const source = "\uFEFF#!/usr/bin/env node\r\n\r\n\r\n/*\r\ntitle: Echo\r\nversion:0.1\r\n*/\r\nexport {};";
    expect(parseFrontmatter(source)).toEqual({ title: "Echo", version: "0.1" });
  });

  it("reads a one-line comment", () => {
    expect(parseFrontmatter("/** title: Tiny */ export {};")).toEqual({ title: "Tiny" });
  });

  it("lower-cases keys, trims values, keeps colons in values and lets a later duplicate win", () => {
    const source = "/**\n * Title:   First  \n * funding_url: https://example.com/x?a=1\n * TITLE: Second\n */";
    expect(parseFrontmatter(source)).toEqual({ title: "Second", funding_url: "https://example.com/x?a=1" });
  });

  it("ignores lines that are not key: value", () => {
    const source =
      "/**\n * A filter that does things.\n * Some words: with a colon after a space\n *\n * license: MIT\n * - bullet: no\n */";
    expect(parseFrontmatter(source)).toEqual({ license: "MIT" });
  });

  it("returns {} when the file does not start with a block comment", () => {
    expect(parseFrontmatter('import { z } from "zod";\n/** title: Late */')).toEqual({});
    expect(parseFrontmatter("// title: Line comment\n")).toEqual({});
    expect(parseFrontmatter("")).toEqual({});
  });

  it("returns {} for an unterminated comment", () => {
    expect(parseFrontmatter("/**\n * title: Never closed\n")).toEqual({});
  });

  it("only reads the first comment", () => {
    expect(parseFrontmatter("/** title: One */\n/** version: 2 */")).toEqual({ title: "One" });
  });

  it("stores a __proto__ key as data, never as the prototype", () => {
    const manifest = parseFrontmatter("/**\n * __proto__: polluted\n */");
    expect(Object.getPrototypeOf(manifest)).toBe(Object.prototype);
    expect(manifest.__proto__).toBe("polluted");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("reads a Python plugin's module docstring as Open WebUI does", () => {
    const source = [
      '"""',
      "title: Word Counter",
      "author: someone",
      "version: 0.2.0",
      "required_open_webui_version: 0.5.0",
      "requirements: requests, beautifulsoup4",
      "funding_url: https://example.com/fund",
      "icon_url: data:image/svg+xml;base64,AAAA",
      "key2: ignored (digits are not key letters)",
      "A note that is not a key",
      '"""',
      "title: not read",
      "class Filter:",
      "    pass",
    ].join("\n");
    expect(parseFrontmatter(source)).toEqual({
      title: "Word Counter",
      author: "someone",
      version: "0.2.0",
      required_open_webui_version: "0.5.0",
      requirements: "requests, beautifulsoup4",
      funding_url: "https://example.com/fund",
      icon_url: "data:image/svg+xml;base64,AAAA",
    });
    // Open WebUI reads it only when the quotes stand alone on the first line.
    expect(parseFrontmatter('"""title: Inline\n"""\nclass Filter:\n    pass\n')).toEqual({});
    expect(parseFrontmatter('\n"""\ntitle: Late\n"""\n')).toEqual({});
  });
});
