import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import type { Api } from "./helpers/api.ts";
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

// Options listed per reader, as Open WebUI asks its options methods when a form is opened.
const PER_USER_OPTIONS_FILTER = `"""
title: Per user
"""
from pydantic import BaseModel, Field


class Filter:
    class Valves(BaseModel):
        scope: str = Field(default="all", json_schema_extra={"input": {"type": "select", "options": "scope_options"}})

    class UserValves(BaseModel):
        folder: str = Field(default="", json_schema_extra={"input": {"type": "select", "options": "folder_options"}})
        broken: str = Field(default="x", json_schema_extra={"input": {"type": "select", "options": "broken_options"}})

        @classmethod
        def folder_options(cls, __user__=None):
            if not __user__:
                return ["shared"]
            return ["shared", "home of " + __user__["name"], __user__["role"] + " files"]

        @classmethod
        def broken_options(cls, __user__=None):
            if __user__:
                raise RuntimeError("the folder service is down")
            return ["x"]

    def __init__(self):
        self.valves = self.Valves()

    def inlet(self, body: dict) -> dict:
        return body


def _scope_options(user=None):
    return ["all"] if user is None else ["all", "mine (" + user["email"] + ")"]


Filter.Valves.scope_options = staticmethod(_scope_options)
`;

/** Saves a Python function and approves it (the Python tier runs only what an admin approved); it must load. */
async function createApproved(client: Api, admin: TestAccount, id: string, content: string): Promise<void> {
  const created = await client.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const approved = await client.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  expect(approved.body.load_error ?? null).toBeNull();
}

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
    await createApproved(sluice.api, admin, "hinted", HINTED_FILTER);

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

  it("asks an options method again for each reader of the form, with the reader as __user__, as Open WebUI does", async () => {
    await createApproved(sluice.api, admin, "per_user", PER_USER_OPTIONS_FILTER);
    const reader = await signUpUser(sluice.url, admin);

    const mine = await sluice.api.get("/api/v1/functions/id/per_user/valves/user/spec", reader.token);
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.properties.folder.input.options).toEqual(["shared", `home of ${reader.name}`, "user files"]);
    // A method that fails for this reader leaves the options it listed at load.
    expect(mine.body.properties.broken.input.options).toEqual(["x"]);
    const admins = await sluice.api.get("/api/v1/functions/id/per_user/valves/user/spec", admin.token);
    expect(admins.body.properties.folder.input.options).toEqual(["shared", `home of ${admin.name}`, "admin files"]);
    // The admin's valves form too, with a method that takes `user`.
    const spec = await sluice.api.get("/api/v1/functions/id/per_user/valves/spec", admin.token);
    expect(spec.body.properties.scope.input.options).toEqual(["all", `mine (${admin.email})`]);
  });
});

const STUCK_OPTIONS_FILTER = `"""
title: Stuck options
"""
import time
from pydantic import BaseModel, Field


class Filter:
    class UserValves(BaseModel):
        folder: str = Field(default="shared", json_schema_extra={"input": {"type": "select", "options": "folder_options"}})

        @classmethod
        def folder_options(cls, __user__=None):
            if __user__:
                time.sleep(60)
            return ["shared"]

    def inlet(self, body: dict) -> dict:
        body["messages"][-1]["content"] += " (filtered)"
        return body
`;

describe("a Python options method that does not answer", () => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { PLUGIN_TIMEOUT_MS: "1500" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(async () => {
    await fake?.close();
  });
  const sluice = useServer({ kind: "sqlite", env });

  it("gives the form as listed at load after the call limit, and the plugin works again afterwards", async () => {
    const admin = await signUpAdmin(sluice.url);
    await createApproved(sluice.api, admin, "stuck", STUCK_OPTIONS_FILTER);
    await sluice.api.post("/api/v1/functions/id/stuck/toggle/global", {}, admin.token);
    await sluice.api.post("/api/v1/functions/id/stuck/toggle", {}, admin.token);

    const started = Date.now();
    const spec = await sluice.api.get("/api/v1/functions/id/stuck/valves/user/spec", admin.token);
    expect(spec.status, JSON.stringify(spec.body)).toBe(200);
    expect(spec.body.properties.folder.input.options).toEqual(["shared"]);
    expect(Date.now() - started).toBeLessThan(10_000);

    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "fake-small", stream: false, messages: [{ role: "user", content: "hello" }] },
      admin.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toContain("hello (filtered)");
  });
});
