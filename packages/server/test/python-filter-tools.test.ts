import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, points 4 and 5: `__tools__` (name → {callable, spec}) in Python pipes and filters,
// through the host's request tools; Python filters' `request` hook (before each model round) and
// `file_handler` (the filter takes the attached files; Sluice does not put them in the prompt).

const MATH_TOOL = `import { defineTools, z } from "@sluice/sdk";
export default defineTools({
  tools: {
    add: {
      description: "Adds two numbers",
      parameters: z.object({ a: z.number().describe("first"), b: z.number().describe("second") }),
      execute: ({ a, b }) => a + b,
    },
  },
});
`;

const AGENT_PIPE = `"""
title: Python agent
"""
import json


class Pipe:
    async def pipe(self, body: dict, __tools__: dict = None) -> str:
        numbers = [int(word) for word in body["messages"][-1]["content"].split()]
        add = __tools__["add"]["callable"]
        total = 0
        for number in numbers:
            total = await add(a=total, b=number)
        return json.dumps({"tools": sorted(__tools__), "spec": __tools__["add"]["spec"], "total": total})
`;

const FILE_FILTER = `"""
title: File owner
"""


class Filter:
    def __init__(self):
        self.file_handler = True

    def inlet(self, body: dict, __files__: list = None, __tools__: dict = None) -> dict:
        last = body["messages"][-1]
        last["content"] += f" [{len(__files__ or [])} file(s), {len(__tools__)} tool(s) known in inlet]"
        return body

    def request(self, body: dict) -> dict:
        body["messages"][-1]["content"] += " (round)"
        return body
`;

describe("Python plugins: __tools__, the request hook and file_handler", () => {
  let fake: FakeUpstream;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;
  let ada: TestAccount;

  const install = async (id: string, content: string, isGlobal = false) => {
    expect((await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token)).status).toBe(200);
    const approved = await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.load_error ?? null).toBeNull();
    expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token)).body.is_active).toBe(true);
    if (isGlobal) await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token);
  };

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
    const tool = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "math_tool", name: "Math", content: MATH_TOOL, access_control: null },
      admin.token,
    );
    expect(tool.status, JSON.stringify(tool.body)).toBe(200);
  });

  it("gives a pipe the request's tools as __tools__, each with its spec and a callable that runs it", async () => {
    await install("py_agent", AGENT_PIPE);
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "py_agent", messages: [{ role: "user", content: "1 2 3 4" }], tool_ids: ["math_tool"] },
      ada.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(JSON.parse(answer.body.choices[0].message.content)).toEqual({
      tools: ["add"],
      spec: {
        name: "add",
        description: "Adds two numbers",
        parameters: expect.objectContaining({ type: "object", required: ["a", "b"] }),
      },
      total: 10,
    });
  });

  it("runs a filter's request hook before the model call, and leaves attached files to a file_handler filter", async () => {
    await install("file_owner", FILE_FILTER, true);
    const form = new FormData();
    form.append("file", new Blob([new TextEncoder().encode("Buy milk")], { type: "text/markdown" }), "notes.md");
    const uploaded = await fetch(`${sluice.url}/api/v1/files/`, {
      method: "POST",
      headers: { authorization: `Bearer ${ada.token}` },
      body: form,
    });
    const file = (await uploaded.json()) as { id: string };
    const answer = await sluice.api.post(
      "/api/chat/completions",
      {
        model: "fake-small",
        messages: [{ role: "user", content: "Sizes?" }],
        files: [{ type: "file", id: file.id }],
        tool_ids: ["math_tool"],
      },
      ada.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // No <attached_files> block: the filter owns the files. The inlet ran before the tools were known.
    expect(fake.chatBodies().at(-1)!.messages).toEqual([{ role: "user", content: "Sizes? [1 file(s), 0 tool(s) known in inlet] (round)" }]);
  });
});
