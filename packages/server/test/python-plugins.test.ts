import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { connectSocket } from "./helpers/connect-socket.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, points 2 to 6: Open WebUI's Python plugins, as they are, run in the Python tier (one
// python3 process per plugin) once an admin approves them: the calling convention (`__user__`
// with user valves, `__event_emitter__`, `__event_call__`, `__metadata__`, `__id__`, …), pydantic
// valves, each kind, and the limits. The plugins are written here in Open WebUI's style.

const FILTER = `"""
title: Polite Filter
author: tests
version: 1.0
description: Adds a word to each question and tidies the answer
"""
import logging
from typing import Optional
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)


class Filter:
    class Valves(BaseModel):
        priority: int = Field(default=0, description="Order among filters")
        word: str = Field(default="please", description="Added to each question")
        api_key: str = Field(default="", json_schema_extra={"input": {"type": "password"}})
        tries: int = Field(default=1, ge=1, le=5)

    class UserValves(BaseModel):
        shout: bool = Field(default=False, description="Upper-case the question")

    def __init__(self):
        self.valves = self.Valves()

    async def inlet(self, body: dict, __user__: Optional[dict] = None, __event_emitter__=None, __metadata__=None, __id__=None) -> dict:
        print(f"inlet for {__user__['name']}")
        log.info("inlet ran")
        last = body["messages"][-1]
        text = f"{last['content']} {self.valves.word}"
        if __user__["valves"].shout:
            text = text.upper()
        last["content"] = f"{text} [{__id__} {__user__['role']}]"
        if __event_emitter__:
            await __event_emitter__({"type": "status", "data": {"description": "Politeness added", "done": True}})
        return body

    def stream(self, event: dict) -> dict:
        for choice in event.get("choices", []):
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                delta["content"] = delta["content"].replace("said", "asked")
        return event

    def outlet(self, body: dict, __user__: Optional[dict] = None) -> dict:
        body["messages"][-1]["content"] += " (checked)"
        return body
`;

const PIPE = `"""
title: Python Models
"""
import os
from pydantic import BaseModel, Field


class Pipe:
    class Valves(BaseModel):
        greeting: str = Field(default="Hello")

    def __init__(self):
        self.type = "manifold"
        self.valves = self.Valves()

    def pipes(self):
        return [{"id": "echo", "name": "Echo"}, {"id": "count", "name": "Count"}, {"id": "raw", "name": "Raw"}]

    async def pipe(self, body: dict, __user__: dict, __metadata__: dict = None):
        model = body["model"].split(".", 1)[-1]
        last = body["messages"][-1]["content"]
        if model == "count":
            return (f"{n} " for n in range(1, 4))
        if model == "raw":
            return self.raw_lines(last)
        return f"{self.valves.greeting} {__user__['name']}, you said: {last}"

    async def raw_lines(self, text):
        yield 'data: {"choices": [{"delta": {"content": "raw:"}}]}'
        yield b" bytes"
        yield {"choices": [{"delta": {"content": " dict"}}]}
        yield "data: [DONE]"
`;

// Its requests go through the host's network policy: the upstream's host is in its permissions.
const proxyPipe = (host: string) => `"""
title: Requests proxy
permissions: network:${host}
"""
import json
import requests
from pydantic import BaseModel, Field


class Pipe:
    class Valves(BaseModel):
        base_url: str = Field(default="")

    def __init__(self):
        self.valves = self.Valves()

    def pipe(self, body: dict):
        response = requests.post(
            f"{self.valves.base_url}/chat/completions",
            json={**body, "model": "fake-small", "stream": True},
            stream=True,
            timeout=10,
        )
        response.raise_for_status()
        for line in response.iter_lines():
            if line:
                yield line.decode("utf-8")
`;

const ACTION = `"""
title: Shout
"""
from pydantic import BaseModel


class Action:
    class Valves(BaseModel):
        suffix: str = "!"

    def __init__(self):
        self.valves = self.Valves()

    async def action(self, body: dict, __user__=None, __event_emitter__=None, __event_call__=None, __id__=None):
        confirmed = await __event_call__({"type": "confirmation", "data": {"title": "Shout?", "message": "Really?"}})
        if not confirmed:
            return None
        await __event_emitter__({"type": "status", "data": {"description": "Shouting", "done": True}})
        message = next(m for m in body["messages"] if m["id"] == body["id"])
        return {"messages": [{"id": body["id"], "content": message["content"].upper() + self.valves.suffix + f" ({__id__})"}]}
`;

const TOOLS = `"""
title: Python Weather
"""
from pydantic import BaseModel, Field


class Tools:
    class Valves(BaseModel):
        unit: str = Field(default="C", json_schema_extra={"input": {"type": "select", "options": ["C", "F"]}})

    class UserValves(BaseModel):
        nickname: str = ""

    def __init__(self):
        self.valves = self.Valves()

    async def get_weather(self, city: str, days: int = 1, __user__: dict = None, __event_emitter__=None) -> str:
        """
        Get the weather forecast for a city.
        :param city: The city to look up.
        :param days: How many days ahead.
        :return: The forecast.
        """
        name = __user__["valves"].nickname or __user__["name"]
        return f"Sunny in {city} for {days} day(s), 21 {self.valves.unit}, for {name}"
`;

const LIMITS_PIPE = `"""
title: Limits
"""
import os


class Pipe:
    def pipe(self, body: dict) -> str:
        text = body["messages"][-1]["content"]
        if text == "spin":
            while True:
                pass
        if text == "crash":
            os._exit(3)
        if text == "hog":
            hoard = []
            while True:
                hoard.append(bytearray(16 * 1024 * 1024))
        return f"alive {os.getpid()} in {os.path.basename(os.getcwd())} with [{','.join(sorted(os.environ))}]"
`;

describe("Open WebUI's Python plugins in the Python tier", () => {
  let fake: FakeUpstream;
  // LOG_LEVEL info: what plugins print is logged at info.
  // PLUGIN_ALLOW_PRIVATE_NETWORK: the proxied upstream is on loopback.
  const env: Record<string, string> = { SLUICE_TEST_SECRET_NAME: "server-only", LOG_LEVEL: "info", PLUGIN_ALLOW_PRIVATE_NETWORK: "true" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;
  let user: TestAccount;

  const create = async (namespace: "functions" | "tools", id: string, content: string, meta?: object) => {
    const created = await sluice.api.post(`/api/v1/${namespace}/create`, { id, name: id, content, ...(meta && { meta }) }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const approved = await sluice.api.post(`/api/v1/${namespace}/id/${id}/permissions/approve`, {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.load_error ?? null).toBeNull();
    if (namespace === "functions") {
      expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token)).body.is_active).toBe(true);
    }
    return approved.body;
  };
  const ask = (model: string, content: string, extra: object = {}) =>
    sluice.api.post("/api/chat/completions", { model, messages: [{ role: "user", content }], ...extra }, user.token);

  it("runs a filter with valves, user valves, events and print, once approved, and tells the admin what the tier reaches", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    const created = await sluice.api.post("/api/v1/functions/create", { id: "polite", name: "Polite", content: FILTER }, admin.token);
    expect(created.body).toMatchObject({
      type: "filter",
      is_active: false,
      meta: { permissions: { requested: ["network:*", "python"], granted: ["network:*"] } },
    });
    expect(fs.existsSync(path.join(sluice.server.dataDir, "plugins", "polite"))).toBe(false);
    expectError(await sluice.api.post("/api/v1/functions/id/polite/permissions/approve", {}, user.token), 403);
    const approved = await sluice.api.post("/api/v1/functions/id/polite/permissions/approve", {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ type: "filter", meta: { permissions: { granted: ["network:*", "python"] } } });
    expect(approved.body.notices[0]).toMatch(/Python tier/);
    expect(approved.body.notices[0]).toMatch(/go through Sluice's network policy/);
    expect(approved.body.notices[0]).toMatch(/network namespace/);
    expect(approved.body.notices[0]).toMatch(/PLUGIN_NODE_TIER_UID/);
    expect(fs.existsSync(path.join(sluice.server.dataDir, "plugins", "polite"))).toBe(true);

    // The valves form comes from the pydantic model, secrets and all; errors come back by field.
    const spec = await sluice.api.get("/api/v1/functions/id/polite/valves/spec", admin.token);
    expect(spec.body.properties.word).toMatchObject({ type: "string", default: "please", description: "Added to each question" });
    expect(spec.body.properties.api_key.input).toEqual({ type: "password" });
    expectError(await sluice.api.post("/api/v1/functions/id/polite/valves/update", { tries: 9 }, admin.token), 400, "tries");
    const saved = await sluice.api.post("/api/v1/functions/id/polite/valves/update", { word: "kindly", priority: null }, admin.token);
    expect(saved.body).toEqual({ word: "kindly" });
    const userValves = await sluice.api.post("/api/v1/functions/id/polite/valves/user/update", { shout: true }, user.token);
    expect(userValves.status, JSON.stringify(userValves.body)).toBe(200);

    expect((await sluice.api.post("/api/v1/functions/id/polite/toggle", undefined, admin.token)).body.is_active).toBe(true);
    await sluice.api.post("/api/v1/functions/id/polite/toggle/global", undefined, admin.token);
    const tab = await connectSocket(sluice.url, user.token);
    try {
      const chat = await sluice.api.post("/api/v1/chats/new", { chat: { title: "t", messages: [] } }, user.token);
      const answer = await ask("fake-small", "hello", { chat_id: chat.body.id, id: "a1", session_id: tab.socket.id, stream: true });
      expect(answer.status).toBe(200);
      const done = await tab.next((envelope) => envelope.data.type === "chat:completion" && (envelope.data.data as any).done === true);
      // inlet (valve, user valve, __id__, role) → upstream → stream hook ("said" → "asked").
      expect((done.data.data as any).content).toBe("You asked: HELLO KINDLY [polite user] (checked)");
      const status = await tab.next((envelope) => envelope.data.type === "status");
      expect(status.data).toEqual({ type: "status", data: { description: "Politeness added", done: true } });
    } finally {
      tab.close();
    }
    const plain = await ask("fake-small", "hi");
    // As in Open WebUI, an outlet never rewrites the HTTP answer (it changes the saved chat).
    expect(plain.body.choices[0].message.content).toBe("You asked: HI KINDLY [polite user]");
    // print and logging reach the server log, tagged with the plugin and hook.
    const lines = sluice.server
      .output()
      .split("\n")
      .filter((line) => line.includes('"pluginId":"polite"'));
    expect(lines.some((line) => line.includes('"hook":"inlet"') && line.includes("inlet for Test User"))).toBe(true);
    expect(lines.some((line) => line.includes("inlet ran"))).toBe(true);
    await sluice.api.post("/api/v1/functions/id/polite/toggle/global", undefined, admin.token);
  });

  it("serves a manifold pipe: a string, a generator, and raw data: lines, bytes and dicts, streamed", async () => {
    await create("functions", "pymodels", PIPE);
    const models = (await sluice.api.get("/api/models", user.token)).body.data.map((model: { id: string }) => model.id);
    expect(models).toEqual(expect.arrayContaining(["pymodels.echo", "pymodels.count", "pymodels.raw"]));
    const echo = await ask("pymodels.echo", "hi there");
    expect(echo.status, JSON.stringify(echo.body)).toBe(200);
    expect(echo.body.choices[0].message.content).toBe("Hello Test User, you said: hi there");
    expect((await ask("pymodels.count", "go")).body.choices[0].message.content).toBe("1 2 3 ");
    const response = await fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ model: "pymodels.raw", messages: [{ role: "user", content: "go" }], stream: true }),
    });
    const deltas = (await response.text())
      .split("\n")
      .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
      .map((line) => JSON.parse(line.slice(6)).choices?.[0]?.delta?.content)
      .filter((content) => typeof content === "string" && content !== "");
    expect(deltas).toEqual(["raw:", " bytes", " dict"]);
  });

  it("streams a pipe that proxies an upstream with requests", async () => {
    await create("functions", "proxy", proxyPipe(new URL(fake.baseUrl).host));
    await sluice.api.post("/api/v1/functions/id/proxy/valves/update", { base_url: fake.baseUrl }, admin.token);
    const answer = await ask("proxy", "through python");
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("You said: through python");
  });

  it("runs an action with __event_call__ and __event_emitter__, saving its change", async () => {
    await create("functions", "shout", ACTION);
    await sluice.api.post("/api/v1/functions/id/shout/toggle/global", undefined, admin.token);
    const tab = await connectSocket(sluice.url, user.token);
    try {
      tab.socket.on("events", (envelope: any, acknowledge?: (answer: unknown) => void) => {
        if (envelope.data.type === "confirmation") acknowledge?.(true);
      });
      const messages = [{ id: "m1", role: "assistant", content: "quiet words" }];
      const chat = await sluice.api.post("/api/v1/chats/new", { chat: { title: "t", messages } }, user.token);
      const body = { model: "fake-small", messages, chat_id: chat.body.id, id: "m1", session_id: tab.socket.id };
      const result = await sluice.api.post("/api/chat/actions/shout", body, user.token);
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      expect(result.body).toEqual({ messages: [{ id: "m1", content: "QUIET WORDS! (shout)" }] });
      const status = await tab.next((envelope) => envelope.data.type === "status");
      expect(status.data).toEqual({ type: "status", data: { description: "Shouting", done: true } });
    } finally {
      tab.close();
    }
  });

  it("builds a tool's spec from its signature and docstring, and the model calls it with __user__ and valves", async () => {
    const approved = await create("tools", "pyweather", TOOLS);
    expect(approved.specs).toEqual([
      {
        name: "get_weather",
        description: "Get the weather forecast for a city.",
        parameters: {
          type: "object",
          properties: {
            city: { type: "string", description: "The city to look up." },
            days: { type: "integer", default: 1, description: "How many days ahead." },
          },
          required: ["city"],
        },
      },
    ]);
    const spec = await sluice.api.get("/api/v1/tools/id/pyweather/valves/spec", admin.token);
    expect(spec.body.properties.unit.input).toEqual({ type: "select", options: ["C", "F"] });
    await sluice.api.post("/api/v1/tools/id/pyweather/valves/update", { unit: "F" }, admin.token);
    const shared = await sluice.api.post("/api/v1/tools/id/pyweather/access/update", { access_control: null }, admin.token);
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);
    const nickname = await sluice.api.post("/api/v1/tools/id/pyweather/valves/user/update", { nickname: "Tess" }, user.token);
    expect(nickname.status, JSON.stringify(nickname.body)).toBe(200);
    const answer = await ask("fake-small", "weather in Paris", { tool_ids: ["pyweather"] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("Tool said: Sunny in Paris for 1 day(s), 21 F, for Tess");
  });

  it("kills a loop at its time limit and a crash, and starts again; the process has its folder and no environment", async () => {
    await create("functions", "limits", LIMITS_PIPE, { limits: { timeoutMs: 1500 } });
    const first = await ask("limits", "hello");
    // Nothing of the server's environment; Python itself may set LC_CTYPE (PEP 538).
    expect(first.body.choices[0].message.content).toMatch(/^alive \d+ in limits with \[(LC_CTYPE)?\]$/);
    const pid = first.body.choices[0].message.content.split(" ")[1];

    const started = Date.now();
    const spun = await ask("limits", "spin");
    expect(spun.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(spun.body)).toMatch(/timed out in pipe after 1500 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const afterLoop = await ask("limits", "hello");
    expect(afterLoop.body.choices[0].message.content).not.toContain(`alive ${pid} `);

    const crashed = await ask("limits", "crash");
    expect(JSON.stringify(crashed.body)).toMatch(/crashed in pipe: its Python process exited with code 3/);
    const afterCrash = await ask("limits", "hello");
    expect(afterCrash.status).toBe(200);
    expect(afterCrash.body.choices[0].message.content).toMatch(/^alive \d+ in limits/);

    const hogged = await ask("limits", "hog");
    expect(JSON.stringify(hogged.body)).toMatch(/ran out of memory in pipe \(the limit is 128 MB\)/);
    expect((await ask("limits", "hello")).status).toBe(200);
    // Other plugins and the server went on.
    expect((await ask("pymodels.echo", "still")).body.choices[0].message.content).toBe("Hello Test User, you said: still");
  });

  it("refuses approved code that fails to load with the Python error, its line and last frame, and keeps what was stored", async () => {
    const good = '"""\ntitle: Loader\n"""\nclass Filter:\n    def inlet(self, body):\n        return body\n';
    await create("functions", "loader", good);
    const failing =
      '"""\ntitle: Loader\n"""\nimport json\n\n\nclass Filter:\n    def __init__(self):\n        self.config = json.loads("{not json")\n';
    const refused = await sluice.api.post("/api/v1/functions/id/loader/update", { name: "Loader", content: failing }, admin.token);
    expectError(refused, 400, "JSONDecodeError");
    expect(refused.body.detail).toMatch(/line 9, in __init__; last frame: decoder\.py:\d+ in raw_decode/);
    expect((await sluice.api.get("/api/v1/functions/id/loader", admin.token)).body.content).toBe(good);
    const missing = '"""\ntitle: Missing\n"""\nimport not_a_module_anywhere\n\nclass Filter:\n    pass\n';
    await sluice.api.post("/api/v1/functions/create", { id: "missing", name: "Missing", content: missing }, admin.token);
    const approved = await sluice.api.post("/api/v1/functions/id/missing/permissions/approve", {}, admin.token);
    expect(approved.body.load_error).toMatch(/ModuleNotFoundError: No module named 'not_a_module_anywhere' \(line 4/);
  });
});
