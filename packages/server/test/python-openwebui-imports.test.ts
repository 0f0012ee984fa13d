import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { connectSocket } from "./helpers/connect-socket.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, point 7 (and the HTML tool results of point 5): the `open_webui` names community
// plugins import resolve to Sluice's host API in the Python tier; fastapi/starlette imported for
// types load without those packages; an open_webui module Sluice lacks fails at load by name.
// The plugins are written here in Open WebUI's style.

const RELAY_PIPE = `"""
title: Relay
"""
from pydantic import BaseModel
from fastapi import Request
from fastapi.responses import StreamingResponse
from open_webui.utils.chat import generate_chat_completion
from open_webui.main import generate_chat_completions
from open_webui.models.users import Users
from open_webui.models.chats import Chats
from open_webui.utils.misc import get_last_user_message, pop_system_message


class Pipe:
    class Valves(BaseModel):
        target: str = "fake-small"

    def __init__(self):
        self.valves = self.Valves()

    async def pipe(self, body: dict, __user__: dict, __request__: Request, __chat_id__: str = None):
        user = Users.get_user_by_id(__user__["id"])
        system, messages = pop_system_message(body["messages"])
        text = get_last_user_message(messages)
        if text == "chat":
            chat = Chats.get_chat_by_id(__chat_id__)
            return f"{chat.title}: {len(chat.chat['messages'])} messages; another: {Chats.get_chat_by_id('nope')}"
        form = {"model": self.valves.target, "messages": [{"role": "user", "content": f"{text} via {user.name}"}]}
        if body.get("stream"):
            response = await generate_chat_completion(__request__, {**form, "stream": True}, user)
            assert isinstance(response, StreamingResponse)
            return response
        reply = await generate_chat_completions(__request__, form, user)
        return f"{reply['choices'][0]['message']['content']} (system: {system['content'] if system else None}; other user: {Users.get_user_by_id('someone')})"
`;

const MEMORY_FILTER = `"""
title: Memory Filter
"""
from typing import Optional
from starlette.requests import Request
from open_webui.routers.memories import add_memory, query_memory, AddMemoryForm, QueryMemoryForm
from open_webui.models.memories import Memories
from open_webui.models.users import Users
from open_webui.utils.misc import get_last_user_message, add_or_update_system_message


class Filter:
    async def inlet(self, body: dict, __user__: Optional[dict] = None, __request__: Request = None) -> dict:
        user = Users.get_user_by_id(__user__["id"])
        text = get_last_user_message(body["messages"])
        if text.startswith("remember "):
            await add_memory(request=__request__, form_data=AddMemoryForm(content=text[len("remember "):]), user=user)
        found = await query_memory(__request__, QueryMemoryForm(content=text, k=1), user)
        stored = Memories.get_memories_by_user_id(user.id)
        add_or_update_system_message(f"Known: {found.documents[0]} of {len(stored)}", body["messages"])
        return body
`;

const CARD_TOOLS = `"""
title: Cards
"""
from fastapi.responses import HTMLResponse


class Tools:
    def weather_card(self, city: str) -> HTMLResponse:
        """
        Show a weather card.
        :param city: The city.
        """
        return HTMLResponse(content=f"<div class='card'>Sunny in {city}</div>", headers={"Content-Disposition": "inline"})
`;

describe("open_webui imports in the Python tier", () => {
  let fake: FakeUpstream;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;
  let user: TestAccount;

  const create = async (namespace: "functions" | "tools", id: string, content: string) => {
    const created = await sluice.api.post(`/api/v1/${namespace}/create`, { id, name: id, content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const approved = await sluice.api.post(`/api/v1/${namespace}/id/${id}/permissions/approve`, {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    if (namespace === "functions") await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    return approved.body;
  };
  const ask = (model: string, content: string, extra: object = {}) =>
    sluice.api.post("/api/chat/completions", { model, messages: [{ role: "user", content }], ...extra }, user.token);

  it("calls a model with generate_chat_completion(s), as the requester, streamed or not, and reads the user's own chat", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    const approved = await create("functions", "relay", RELAY_PIPE);
    expect(approved.load_error ?? null).toBeNull();
    const messages = [
      { role: "system", content: "Be brief" },
      { role: "user", content: "hello" },
    ];
    const answer = await sluice.api.post("/api/chat/completions", { model: "relay", messages }, user.token);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("You said: hello via Test User (system: Be brief; other user: None)");

    const response = await fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ model: "relay", messages: [{ role: "user", content: "streamed" }], stream: true }),
    });
    const text = (await response.text())
      .split("\n")
      .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
      .map((line) => JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe("You said: streamed via Test User");

    const chat = await sluice.api.post(
      "/api/v1/chats/new",
      { chat: { title: "Trip", messages: [{ id: "u1", role: "user", content: "chat" }] } },
      user.token,
    );
    const read = await ask("relay", "chat", { chat_id: chat.body.id });
    expect(read.body.choices[0].message.content).toBe("Trip: 1 messages; another: None");
  });

  it("adds and queries the requester's memories through open_webui's router and table names", async () => {
    await create("functions", "memo", MEMORY_FILTER);
    await sluice.api.post("/api/v1/functions/id/memo/toggle/global", undefined, admin.token);
    const remembered = await ask("fake-small", "remember I like tea");
    expect(remembered.status, JSON.stringify(remembered.body)).toBe(200);
    const memories = await sluice.api.get("/api/v1/memories/", user.token);
    expect(memories.body.map((memory: { content: string }) => memory.content)).toEqual(["I like tea"]);
    await ask("fake-small", "what do I like to drink, tea?");
    const system = (fake.chatBodies().at(-1)!.messages as Array<{ role: string; content: string }>)[0];
    expect(system).toEqual({ role: "system", content: "Known: ['I like tea'] of 1" });
    await sluice.api.post("/api/v1/functions/id/memo/toggle/global", undefined, admin.token);
  });

  it("shows a tool's HTMLResponse as an embed and tells the model so", async () => {
    await create("tools", "cards", CARD_TOOLS);
    await sluice.api.post("/api/v1/tools/id/cards/access/update", { access_control: null }, admin.token);
    const tab = await connectSocket(sluice.url, user.token);
    try {
      const chat = await sluice.api.post("/api/v1/chats/new", { chat: { title: "t", messages: [] } }, user.token);
      const answer = await ask("fake-small", "weather in Paris", {
        tool_ids: ["cards"],
        chat_id: chat.body.id,
        id: "a1",
        session_id: tab.socket.id,
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const embeds = await tab.next((envelope) => envelope.data.type === "embeds");
      expect(embeds.data.data).toEqual({ embeds: ["<div class='card'>Sunny in Paris</div>"] });
      expect(answer.body.choices[0].message.content).toBe("Tool said: weather_card: the embedded result is shown to the user.");
    } finally {
      tab.close();
    }
  });

  it("refuses at load an open_webui module Sluice does not provide, naming it", async () => {
    const source = '"""\ntitle: Search\n"""\nfrom open_webui.retrieval.web.main import SearchResult\n\nclass Tools:\n    pass\n';
    await sluice.api.post("/api/v1/tools/create", { id: "websearch", name: "Search", content: source }, admin.token);
    const approved = await sluice.api.post("/api/v1/tools/id/websearch/permissions/approve", {}, admin.token);
    expect(approved.body.load_error).toMatch(/Sluice does not provide open_webui\.retrieval \(Open WebUI's server internals\).*\(line 4/);
  });
});
