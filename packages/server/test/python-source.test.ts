import { expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

// Fixes issue, point 18: importing an Open WebUI (Python) function gave a cryptic TypeScript
// syntax error. Python source is recognised and refused plainly until Python plugins run.

const PYTHON_FUNCTION = `"""
title: Word Counter
author: someone
version: 0.2.0
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

const sluice = useServer({ kind: "sqlite" });

it("says plainly that an Open WebUI Python plugin is Python, on create and on import", async () => {
  const admin = await signUpAdmin(sluice.url);
  const created = await sluice.api.post(
    "/api/v1/functions/create",
    { id: "word_counter", name: "Word Counter", content: PYTHON_FUNCTION },
    admin.token,
  );
  expectError(created, 400, "This is Python source");
  expect(created.body.detail).not.toMatch(/Syntax error/);
  // An Open WebUI export: a list of function rows.
  const exported = [
    {
      id: "word_counter",
      name: "Word Counter",
      type: "filter",
      content: PYTHON_FUNCTION,
      meta: { description: "Counts words" },
      is_active: true,
      is_global: false,
    },
  ];
  expectError(await sluice.api.post("/api/v1/functions/import", exported, admin.token), 400, "This is Python source");
  expect((await sluice.api.get("/api/v1/functions/", admin.token)).body).toEqual([]);
});
