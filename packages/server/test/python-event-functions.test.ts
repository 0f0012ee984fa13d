import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { startEventCollector, type CollectedRecord, type EventCollector } from "./helpers/event-collector.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, points 4 and 5: an Open WebUI Event function (`class Event`) is an event plugin in the
// Python tier: stored as a function of type `event`, called for every server event with
// `__event_name__` (it filters, as in Open WebUI), after an admin approves it.

const eventFunction = (collector: EventCollector) => `"""
title: Python audit
permissions: network:127.0.0.1:${collector.port}
"""
import requests
from pydantic import BaseModel, Field

COLLECTOR = ${JSON.stringify(collector.url)}


class Event:
    class Valves(BaseModel):
        tag: str = Field(default="audit")

    def __init__(self):
        self.valves = self.Valves()

    async def event(self, event: dict, __event_name__: str = None, __event_id__: str = None, __id__: str = None, __user__=None, **kwargs):
        if not __event_name__.startswith("chat."):
            return
        requests.post(COLLECTOR + "/record", json={
            "plugin": __id__,
            "eventName": __event_name__,
            "eventId": __event_id__,
            "event": event,
            "tag": self.valves.tag,
            "user": __user__,
        })
`;

describe("Python Event functions", () => {
  let collector: EventCollector;
  beforeAll(async () => {
    collector = await startEventCollector();
  });
  afterAll(async () => {
    await collector?.close();
  });
  const sluice = useServer({ kind: "sqlite", env: { PLUGIN_ALLOW_PRIVATE_NETWORK: "true" } });
  let admin: TestAccount;
  let ada: TestAccount;

  it("stores class Event as a function of type event and, once approved and on, calls event() with chat.created", async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "py_audit", name: "Python audit", content: eventFunction(collector) },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ type: "event", meta: { events: ["*"] } });
    const approved = await sluice.api.post("/api/v1/functions/id/py_audit/permissions/approve", {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.load_error ?? null).toBeNull();
    const valves = await sluice.api.post("/api/v1/functions/id/py_audit/valves/update", { tag: "audited" }, admin.token);
    expect(valves.status, JSON.stringify(valves.body)).toBe(200);
    expect((await sluice.api.post("/api/v1/functions/id/py_audit/toggle", undefined, admin.token)).body.is_active).toBe(true);

    const chat = await sluice.api.post("/api/v1/chats/new", { chat: { title: "Quarterly plan", messages: [] } }, ada.token);
    expect(chat.status, JSON.stringify(chat.body)).toBe(200);
    const record = await collector.waitFor((entry: CollectedRecord) => entry.plugin === "py_audit" && entry.eventName === "chat.created");
    expect(record).toMatchObject({
      tag: "audited",
      user: null,
      event: {
        name: "chat.created",
        subject: { type: "chat", id: chat.body.id },
        actor: { id: ada.id, email: ada.email, role: "user" },
        data: { title: "Quarterly plan" },
      },
    });
    expect(record.eventId).toBe((record.event as { id: string }).id);
    // It filtered the function.* events itself: only chat events reached the collector.
    expect(collector.records.every((entry) => String(entry.eventName).startsWith("chat."))).toBe(true);
  });
});
