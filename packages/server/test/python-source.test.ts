import { describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, point 1: an Open WebUI (Python) function or tool is accepted as it is. It is recognised
// by its content, its frontmatter is its module docstring, its kind its top-level class; it is
// stored without running, inactive, until an admin approves the Python tier for it. (Before, Python
// source was refused with "This is Python source".)

const PYTHON_FUNCTION = `"""
title: Word Counter
author: someone
version: 0.2.0
description: Counts words
required_open_webui_version: 0.5.0
funding_url: https://example.com/fund
"""
from pydantic import BaseModel, Field


class Filter:
    class Valves(BaseModel):
        priority: int = Field(default=0)

    def __init__(self):
        self.valves = self.Valves()

    async def inlet(self, body: dict, __user__: dict = None) -> dict:
        return body
`;

const TYPESCRIPT_FILTER = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({ inlet: (body) => body });
`;

describe("Python source", () => {
  const sluice = useServer({ kind: "sqlite" });
  let admin: TestAccount;

  it("is stored from create and from an Open WebUI export, inactive until approved, with the docstring's frontmatter", async () => {
    admin = await signUpAdmin(sluice.url);
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "word_counter", name: "Word Counter", content: PYTHON_FUNCTION },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({
      id: "word_counter",
      type: "filter",
      is_active: false,
      meta: {
        description: "Counts words",
        manifest: {
          title: "Word Counter",
          author: "someone",
          version: "0.2.0",
          required_open_webui_version: "0.5.0",
          funding_url: "https://example.com/fund",
        },
        permissions: { requested: ["network:*", "python"], granted: ["network:*"] },
      },
    });
    expectError(await sluice.api.post("/api/v1/functions/id/word_counter/toggle", undefined, admin.token), 403, "permissions/approve");

    // An Open WebUI export: a list of function rows.
    const exported = [
      {
        id: "word_counter_2",
        name: "Word Counter",
        type: "filter",
        content: PYTHON_FUNCTION,
        meta: { description: "Counts words" },
        is_active: true,
        is_global: false,
      },
    ];
    const imported = await sluice.api.post("/api/v1/functions/import", exported, admin.token);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const stored = await sluice.api.get("/api/v1/functions/id/word_counter_2", admin.token);
    expect(stored.body).toMatchObject({ type: "filter", is_active: false, meta: { permissions: { requested: ["network:*", "python"] } } });
  });

  it("takes the kind from the top-level class, and refuses one filed in the wrong place", async () => {
    const tools = '"""\ntitle: Clock\n"""\nclass Tools:\n    def now(self) -> str:\n        return "noon"\n';
    expectError(
      await sluice.api.post("/api/v1/functions/create", { id: "clock", name: "Clock", content: tools }, admin.token),
      400,
      "create it under Tools",
    );
    const tool = await sluice.api.post("/api/v1/tools/create", { id: "clock", name: "Clock", content: tools }, admin.token);
    expect(tool.status, JSON.stringify(tool.body)).toBe(200);
    expect(tool.body.meta.permissions).toEqual({ requested: ["network:*", "python"], granted: ["network:*"] });
    const pipe = '"""\ntitle: P\n"""\nclass Pipe:\n    def pipe(self, body):\n        return "hi"\n';
    expect((await sluice.api.post("/api/v1/functions/create", { id: "p", name: "P", content: pipe }, admin.token)).body.type).toBe("pipe");
    expectError(
      await sluice.api.post(
        "/api/v1/functions/create",
        { id: "nothing", name: "N", content: '"""\ntitle: N\n"""\nimport os\n\ndef helper(self):\n    pass\n' },
        admin.token,
      ),
      400,
      "No class named Pipe, Filter, Action or Tools",
    );
  });

  it("refuses a syntax error with its line, and stores nothing", async () => {
    const broken = PYTHON_FUNCTION.replace(
      "    async def inlet(self, body: dict, __user__: dict = None) -> dict:",
      "    async def inlet(self, body: dict\n",
    );
    const refused = await sluice.api.post("/api/v1/functions/create", { id: "broken", name: "Broken", content: broken }, admin.token);
    expectError(refused, 400, "line 19");
    expect(refused.body.detail).toMatch(/SyntaxError/);
    expectError(await sluice.api.get("/api/v1/functions/id/broken", admin.token), 404);
  });
});

describe("Python plugins on a server without Python", () => {
  const sluice = useServer({ kind: "sqlite", env: { SLUICE_PYTHON: "/nonexistent/python3" } });

  it("refuses them saying what to install, and TypeScript plugins work as ever", async () => {
    const admin = await signUpAdmin(sluice.url);
    const refused = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "word_counter", name: "Word Counter", content: PYTHON_FUNCTION },
      admin.token,
    );
    expectError(refused, 400, "Python plugins need Python 3.11 or newer with pydantic 2");
    expect(refused.body.detail).toMatch(/SLUICE_PYTHON/);
    expectError(await sluice.api.get("/api/v1/functions/id/word_counter", admin.token), 404);
    const typescript = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "plain", name: "Plain", content: TYPESCRIPT_FILTER },
      admin.token,
    );
    expect(typescript.status, JSON.stringify(typescript.body)).toBe(200);
    expect((await sluice.api.post("/api/v1/functions/id/plain/toggle", undefined, admin.token)).body.is_active).toBe(true);
  });
});
