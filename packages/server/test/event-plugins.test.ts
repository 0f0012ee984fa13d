import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { startEventCollector, type CollectedRecord, type EventCollector } from "./helpers/event-collector.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 11, point 10: event plugins (`defineEvents`) get server events after the request that
// raised them, never holding it up; `function.disable_started` is awaited before the plugin is
// switched off. In the isolated tier and in the trusted tier (`permissions: node`). The plugins
// report to a loopback collector the test holds; a plugin is kept blocked by a request the
// collector does not answer until the test says so.

const TIERS = ["isolated", "trusted"] as const;
type Tier = (typeof TIERS)[number];

const frontmatter = (tier: Tier, collector: EventCollector) =>
  tier === "trusted" ? " * permissions: node\n" : ` * permissions: network:127.0.0.1:${collector.port}\n`;

const plugin = (title: string, tier: Tier, collector: EventCollector, body: string) => `/**
 * title: ${title}
${frontmatter(tier, collector)} */
import { defineEvents, z } from "@sluice/sdk";
const COLLECTOR = ${JSON.stringify(collector.url)};
const report = (ctx, fields) =>
  ctx.fetch(COLLECTOR + "/record", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ plugin: ctx.id, ...fields }) });
export default defineEvents(${body});
`;

/** Reports every event it gets. */
const recorder = (tier: Tier, collector: EventCollector) =>
  plugin(
    "Recorder",
    tier,
    collector,
    `{ on: { "*": async (event, ctx) => { await report(ctx, { event, eventName: ctx.metadata.event_name }); } } }`,
  );

/** Waits on the collector in chat.created until the test releases it, then reports. */
const slow = (tier: Tier, collector: EventCollector) =>
  plugin(
    "Slow",
    tier,
    collector,
    `{ on: { "chat.created": async (event, ctx) => {
      await ctx.fetch(COLLECTOR + "/hold/slow-" + event.subject.id);
      await report(ctx, { done: event.subject.id });
    } } }`,
  );

const throwing = (tier: Tier, collector: EventCollector) =>
  plugin("Throwing", tier, collector, `{ on: { "chat.*": (event) => { throw new Error("audit store down for " + event.subject.id); } } }`);

/** Finishes its work when switched off: waits on the collector, then reports. */
const closer = (tier: Tier, collector: EventCollector, tag: string) =>
  plugin(
    "Closer",
    tier,
    collector,
    `{ on: { "function.disable_started": async (event, ctx) => {
      await ctx.fetch(COLLECTOR + "/hold/${tag}");
      await report(ctx, { closed: event.subject.id, actor: event.actor.email });
    } } }`,
  );

describeEachDatabase("event plugins over HTTP", (kind) => {
  let fake: FakeUpstream;
  let collector: EventCollector;
  const env: Record<string, string> = { PLUGIN_ALLOW_PRIVATE_NETWORK: "true" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    collector = await startEventCollector();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(async () => {
    await collector?.close();
    await fake?.close();
  });
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let ada: TestAccount;

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
  });

  const toggle = (id: string) => sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);

  const install = async (id: string, content: string, tier: Tier, meta?: Record<string, unknown>) => {
    const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content, ...(meta ? { meta } : {}) }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.type).toBe("event");
    if (tier === "trusted") {
      const approved = await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token);
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    }
    const switched = await toggle(id);
    expect(switched.body.is_active, JSON.stringify(switched.body)).toBe(true);
  };

  const newChat = async (account: TestAccount, title: string) => {
    const created = await sluice.api.post("/api/v1/chats/new", { chat: { title, messages: [] } }, account.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return created.body.id as string;
  };

  const eventFrom = (pluginId: string, name: string, subjectId?: string) => (record: CollectedRecord) => {
    const event = record.event as { name?: string; subject?: { id?: string } } | undefined;
    return record.plugin === pluginId && event?.name === name && (subjectId === undefined || event.subject?.id === subjectId);
  };

  const actor = (account: TestAccount) => ({ id: account.id, name: account.name, email: account.email, role: account.role });

  it("lists an event plugin as a function of type event, with what it listens to", async () => {
    const content = plugin("Lister", "isolated", collector, `{ on: { "chat.*": () => {}, "function.disable_started": () => {} } }`);
    const created = await sluice.api.post("/api/v1/functions/create", { id: "lister", name: "Lister", content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ type: "event", meta: { events: ["chat.*", "function.disable_started"] } });
    const listed = await sluice.api.get("/api/v1/functions/", admin.token);
    expect(listed.body.find((row: { id: string }) => row.id === "lister")).toMatchObject({ type: "event" });
    // Not a model, not a filter: the chat does not see it.
    const models = await sluice.api.get("/api/models", ada.token);
    expect(models.body.data.map((model: { id: string }) => model.id)).not.toContain("lister");
  });

  for (const tier of TIERS) {
    const recorderId = `recorder_${tier}`;

    it(`delivers chat, message and function events with subject, actor and time (${tier} tier)`, async () => {
      await install(recorderId, recorder(tier, collector), tier);
      const before = Date.now();

      const chatId = await newChat(ada, "Plans");
      const created = await collector.waitFor(eventFrom(recorderId, "chat.created", chatId));
      expect(created).toMatchObject({
        eventName: "chat.created",
        event: { name: "chat.created", subject: { type: "chat", id: chatId }, actor: actor(ada), data: { title: "Plans" } },
      });
      const event = created.event as { id: string; ts: number };
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(event.ts).toBeGreaterThanOrEqual(before);
      expect(event.ts).toBeLessThanOrEqual(Date.now());

      const messageId = `m-${tier}`;
      const answer = await sluice.api.post(
        "/api/chat/completions",
        { model: "fake-small", chat_id: chatId, id: messageId, messages: [{ role: "user", content: "hello" }] },
        ada.token,
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const completed = await collector.waitFor(eventFrom(recorderId, "message.completed", messageId));
      expect(completed.event).toMatchObject({
        subject: { type: "message", id: messageId },
        actor: actor(ada),
        data: { chat_id: chatId, model: "fake-small" },
      });
      // The answer was saved before the event was raised.
      const stored = await sluice.api.get(`/api/v1/chats/${chatId}`, ada.token);
      expect(stored.body.chat.messages.find((message: { id: string }) => message.id === messageId)?.content).toBe("You said: hello");

      const other = `other_${tier}`;
      const filter = `/**\n * title: Other\n */\nimport { defineFilter } from "@sluice/sdk";\nexport default defineFilter({ inlet: (body) => body });\n`;
      expect((await sluice.api.post("/api/v1/functions/create", { id: other, name: "Other", content: filter }, admin.token)).status).toBe(
        200,
      );
      await toggle(other);
      await toggle(other);
      await sluice.api.delete(`/api/v1/functions/id/${other}/delete`, admin.token);
      for (const name of ["function.created", "function.enabled", "function.disabled", "function.deleted"]) {
        const seen = await collector.waitFor(eventFrom(recorderId, name, other));
        expect(seen.event).toMatchObject({
          subject: { type: "function", id: other },
          actor: actor(admin),
          data: { name: "Other", type: "filter" },
        });
      }
    });

    it(`answers the request while a slow event plugin is still blocked, and a throwing one fails alone (${tier} tier)`, async () => {
      await install(`slow_${tier}`, slow(tier, collector), tier);
      await install(`throwing_${tier}`, throwing(tier, collector), tier);
      // Everything the slow plugin has not seen yet is behind the held request, so it is made first.
      const chatId = await newChat(ada, "Hurry");
      await collector.arrived(`slow-${chatId}`);
      expect(collector.isHeld(`slow-${chatId}`)).toBe(true);
      // The others got the event all the same, and the next requests are not held up either.
      await collector.waitFor(eventFrom(recorderId, "chat.created", chatId));
      const renamed = await sluice.api.post(`/api/v1/chats/${chatId}`, { chat: { title: "Hurry up" } }, ada.token);
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
      expect((await collector.waitFor(eventFrom(recorderId, "chat.updated", chatId))).event).toMatchObject({ data: { title: "Hurry up" } });
      expect(collector.isHeld(`slow-${chatId}`)).toBe(true);
      // The throwing plugin's failure is logged with its id and message.
      await vi.waitFor(() => expect(sluice.server.output()).toContain(`audit store down for ${chatId}`), { timeout: 10_000, interval: 50 });
      expect(sluice.server.output()).toContain(`throwing_${tier}`);

      collector.release(`slow-${chatId}`);
      await collector.waitFor((record) => record.plugin === `slow_${tier}` && record.done === chatId);
      await toggle(`slow_${tier}`);
      await toggle(`throwing_${tier}`);
    });

    it(`waits for function.disable_started before switching the plugin off (${tier} tier)`, async () => {
      const id = `closer_${tier}`;
      await install(id, closer(tier, collector, id), tier);
      let isSwitchedOff = false;
      const switching = toggle(id).then((response) => {
        isSwitchedOff = true;
        return response;
      });
      await collector.arrived(id);
      expect(isSwitchedOff).toBe(false);
      expect((await sluice.api.get(`/api/v1/functions/id/${id}`, admin.token)).body.is_active).toBe(true);
      collector.release(id);
      const switched = await switching;
      expect(switched.body.is_active).toBe(false);
      // What the plugin did after the wait had arrived before the switch answered.
      expect(collector.records.some((record) => record.plugin === id && record.closed === id && record.actor === admin.email)).toBe(true);
    });

    it(`switches off a plugin whose disable_started outlives its time limit, which is then left (${tier} tier)`, async () => {
      const id = `stuck_${tier}`;
      await install(id, closer(tier, collector, id), tier, { limits: { timeoutMs: 1500 } });
      const switched = await toggle(id);
      expect(switched.status, JSON.stringify(switched.body)).toBe(200);
      expect(switched.body.is_active).toBe(false);
      expect(collector.isHeld(id)).toBe(true);
      expect(collector.records.some((record) => record.plugin === id)).toBe(false);
    });

    it(`delivers events only to active event plugins (${tier} tier)`, async () => {
      const id = `optional_${tier}`;
      await install(id, recorder(tier, collector), tier);
      await toggle(id);
      const whileOff = await newChat(ada, "While off");
      // The always-on recorder got it: it was handed out while the other was off.
      await collector.waitFor(eventFrom(recorderId, "chat.created", whileOff));
      await toggle(id);
      const whileOn = await newChat(ada, "While on");
      await collector.waitFor(eventFrom(id, "chat.created", whileOn));
      // Each plugin gets its events in order: had the first reached it, it would be here by now.
      expect(collector.records.some(eventFrom(id, "chat.created", whileOff))).toBe(false);
    });
  }

  it("raises user, API key and file events", async () => {
    const email = `eve-${Date.now()}@example.com`;
    const signUp = await sluice.api.post("/api/v1/auths/signup", { name: "Eve", email, password: "correct horse battery staple" });
    expect(signUp.status).toBe(200);
    const eve = signUp.body as { id: string };
    const recorderId = "recorder_isolated";
    expect((await collector.waitFor(eventFrom(recorderId, "user.created", eve.id))).event).toMatchObject({
      subject: { type: "user", id: eve.id },
      actor: { id: eve.id, email, role: "pending" },
      data: { role: "pending" },
    });
    await sluice.api.post("/api/v1/auths/signin", { email: ada.email, password: ada.password });
    await collector.waitFor(eventFrom(recorderId, "user.signed_in", ada.id));

    const key = await sluice.api.post("/api/v1/auths/api_key", undefined, ada.token);
    expect(key.status).toBe(200);
    const keyEvent = await collector.waitFor(
      (record) => record.plugin === recorderId && (record.event as { name: string }).name === "auth.api_key.created",
    );
    expect(keyEvent.event).toMatchObject({ subject: { type: "api_key" }, actor: actor(ada), data: { user_id: ada.id } });
    expect(JSON.stringify(keyEvent)).not.toContain(key.body.api_key);

    const form = new FormData();
    form.append("file", new Blob(["hello"], { type: "text/plain" }), "note.txt");
    const uploaded = await fetch(`${sluice.url}/api/v1/files/`, {
      method: "POST",
      headers: { authorization: `Bearer ${ada.token}` },
      body: form,
    });
    const file = (await uploaded.json()) as { id: string };
    expect((await collector.waitFor(eventFrom(recorderId, "file.uploaded", file.id))).event).toMatchObject({
      subject: { type: "file", id: file.id },
      actor: actor(ada),
      data: { name: "note.txt", content_type: "text/plain", size: 5 },
    });
  });
});
