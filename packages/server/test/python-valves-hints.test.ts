import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, point 6: pydantic `json_schema_extra` `input` hints reach the valves form in its
// vocabulary (password, select with static or method-provided options, multiselect, textarea),
// and values are validated by pydantic with errors by field.

const HINTED_FILTER = `"""
title: Hinted
"""
from typing import List
from pydantic import BaseModel, Field


class Filter:
    class Valves(BaseModel):
        api_key: str = Field(default="", json_schema_extra={"input": {"type": "password"}})
        unit: str = Field(default="C", json_schema_extra={"input": {"type": "select", "options": ["C", "F"]}})
        model: str = Field(default="small", json_schema_extra={"input": {"type": "select", "options": "model_options"}})
        region: str = Field(default="eu", json_schema_extra={"input": {"type": "select", "options": "region_options"}})
        tags: List[str] = Field(default=[], json_schema_extra={"input": {"type": "multiselect", "options": ["news", "sport", "weather"]}})
        prompt: str = Field(default="Be brief.", json_schema_extra={"input": {"type": "textarea"}})
        retries: int = Field(default=2, ge=0, le=5)

        @classmethod
        def model_options(cls, __user__=None):
            return [{"value": "small", "label": "Small model"}, {"value": "large", "label": "Large model"}]

        @staticmethod
        def region_options(user):
            return ["eu", "us"]

    def __init__(self):
        self.valves = self.Valves()

    def inlet(self, body: dict) -> dict:
        return body
`;

describe("Python valves' input hints", () => {
  let fake: FakeUpstream;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(async () => {
    await fake?.close();
  });
  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;

  it("gives the form password, select (static and from a method, with or without a user argument), multiselect and textarea", async () => {
    admin = await signUpAdmin(sluice.url);
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "hinted", name: "Hinted", content: HINTED_FILTER },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const approved = await sluice.api.post("/api/v1/functions/id/hinted/permissions/approve", {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.load_error ?? null).toBeNull();

    const spec = await sluice.api.get("/api/v1/functions/id/hinted/valves/spec", admin.token);
    expect(spec.status, JSON.stringify(spec.body)).toBe(200);
    const properties = spec.body.properties;
    expect(properties.api_key.input).toEqual({ type: "password" });
    expect(properties.unit.input).toEqual({ type: "select", options: ["C", "F"] });
    expect(properties.model.input).toEqual({
      type: "select",
      options: [
        { value: "small", label: "Small model" },
        { value: "large", label: "Large model" },
      ],
    });
    expect(properties.region.input).toEqual({ type: "select", options: ["eu", "us"] });
    expect(properties.tags).toMatchObject({
      type: "array",
      items: { type: "string" },
      input: { type: "multiselect", options: ["news", "sport", "weather"] },
    });
    expect(properties.prompt.input).toEqual({ type: "textarea" });

    // Saved through pydantic: a multiselect stays a list, a textarea keeps its lines, errors come by field.
    const saved = await sluice.api.post(
      "/api/v1/functions/id/hinted/valves/update",
      {
        api_key: "sk-secret",
        unit: "F",
        model: "large",
        region: "us",
        tags: ["news", "weather"],
        prompt: "Line one\nLine two",
        retries: 3,
      },
      admin.token,
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const stored = await sluice.api.get("/api/v1/functions/id/hinted/valves", admin.token);
    expect(stored.body).toMatchObject({
      unit: "F",
      model: "large",
      region: "us",
      tags: ["news", "weather"],
      prompt: "Line one\nLine two",
      retries: 3,
    });
    // A password valve is shown to admins (users see user valves' passwords masked), as for TypeScript valves.
    expect(stored.body.api_key).toBe("sk-secret");
    const refused = await sluice.api.post("/api/v1/functions/id/hinted/valves/update", { retries: 9, tags: "news" }, admin.token);
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("retries");
  });
});
