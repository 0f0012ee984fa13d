import { describe, expect, it } from "vitest";
import { looksLikePython } from "./plugin-source.ts";

const OPEN_WEBUI_FILTER = `"""
title: Turn Limit
author: someone
version: 0.1
"""
from pydantic import BaseModel, Field
from typing import Optional


class Filter:
    class Valves(BaseModel):
        max_turns: int = Field(default=8)

    def __init__(self):
        self.valves = self.Valves()

    def inlet(self, body: dict, __user__: Optional[dict] = None) -> dict:
        return body
`;

describe("looksLikePython", () => {
  it("recognises Open WebUI's Python plugins, with or without their docstring", () => {
    expect(looksLikePython(OPEN_WEBUI_FILTER)).toBe(true);
    expect(looksLikePython(OPEN_WEBUI_FILTER.slice(OPEN_WEBUI_FILTER.indexOf("from pydantic")))).toBe(true);
    expect(looksLikePython("import requests\n\nclass Tools:\n    def search(self, query: str) -> str:\n        return query\n")).toBe(true);
  });

  it("leaves TypeScript and JavaScript plugins alone", () => {
    expect(
      looksLikePython(
        '/**\n * title: X\n */\nimport { defineFilter } from "@sluice/sdk";\nexport default defineFilter({ inlet: (body) => body });\n',
      ),
    ).toBe(false);
    expect(looksLikePython('import { z } from "@sluice/sdk";\nexport class Filter {\n  inlet(body) {\n    return body;\n  }\n}\n')).toBe(
      false,
    );
    expect(looksLikePython('const text = "class Filter: pass";\nexport default {};\n')).toBe(false);
  });
});
