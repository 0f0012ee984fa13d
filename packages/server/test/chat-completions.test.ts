import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";
import {
  dropFilter,
  guardFilter,
  markerFilter,
  objectPipe,
  shoutFilter,
  streamingManifold,
  stringPipe,
} from "./fixtures/pipeline-plugins.ts";

/** Reads an SSE answer: the parsed `data:` payloads, and whether it ended with [DONE]. */
async function readSse(response: Response): Promise<{ events: any[]; isDone: boolean }> {
  const text = await response.text();
  const payloads = text
    .split("\n\n")
    .map((block) => block.replace(/^data: /, "").trim())
    .filter(Boolean);
  const isDone = payloads.at(-1) === "[DONE]";
  return { events: payloads.filter((payload) => payload !== "[DONE]").map((payload) => JSON.parse(payload)), isDone };
}

const contentOf = (events: any[]) => events.map((event) => event.choices?.[0]?.delta?.content ?? "").join("");

describeEachDatabase("chat completions", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { ENABLE_TITLE_GENERATION: "false" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
    env.OPENAI_API_KEY = "sk-upstream";
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let user: TestAccount;

  const complete = (body: object, token = user.token) => sluice.api.post("/api/chat/completions", body, token);
  const stream = (body: object, token = user.token) =>
    fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...body, stream: true }),
    });
  const createFunction = async (id: string, content: string, options: { global?: boolean; active?: boolean } = {}) => {
    const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    if (options.active !== false) await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    if (options.global) await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token);
  };

  it("sets up accounts and plugins", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    await createFunction("echo_pipe", stringPipe);
    await createFunction("streamer", streamingManifold);
    await createFunction("object_pipe", objectPipe);
    await createFunction("inactive_pipe", stringPipe, { active: false });
  });

  it("lists upstream models and active pipes, one per manifold entry", async () => {
    const { status, body } = await sluice.api.get("/api/models", user.token);
    expect(status).toBe(200);
    const ids = body.data.map((model: { id: string }) => model.id);
    expect(ids).toEqual(expect.arrayContaining(["fake-small", "fake-large", "echo_pipe", "streamer.one", "streamer.two", "object_pipe"]));
    expect(ids).not.toContain("inactive_pipe");
    expect(ids).not.toContain("streamer");
    expect(body.data.find((model: { id: string }) => model.id === "streamer.two")).toMatchObject({
      name: "Stream Two",
      pipe: { type: "pipe" },
      actions: [],
      filters: [],
    });
  });

  it("answers through the upstream as JSON, sending the upstream's key", async () => {
    const { status, body } = await complete({ model: "fake-small", messages: [{ role: "user", content: "hello there" }] });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "fake-small",
      choices: [{ message: { role: "assistant", content: "You said: hello there" }, finish_reason: "stop" }],
    });
    const last = fake.requests.at(-1)!;
    expect(last.headers.authorization).toBe("Bearer sk-upstream");
    expect(last.body).toMatchObject({ model: "fake-small", messages: [{ role: "user", content: "hello there" }] });
    expect(last.body).not.toHaveProperty("chat_id");
  });

  it("streams SSE that the official openai client reads", async () => {
    const client = new OpenAI({ baseURL: `${sluice.url}/api`, apiKey: user.token });
    const chunks = await client.chat.completions.create({
      model: "fake-large",
      messages: [{ role: "user", content: "stream me" }],
      stream: true,
    });
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of chunks) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe("You said: stream me");
    expect(finish).toBe("stop");
    const json = await client.chat.completions.create({ model: "echo_pipe", messages: [{ role: "user", content: "hi" }] });
    expect(json.choices[0]!.message.content).toBe("Pipe heard: hi from Test User");
  });

  it("runs pipes: strings, streamed manifold entries and whole completions", async () => {
    const streamed = await readSse(await stream({ model: "streamer.two", messages: [{ role: "user", content: "go" }] }));
    expect(contentOf(streamed.events)).toBe("model two: abc");
    expect(streamed.isDone).toBe(true);
    expect(streamed.events.at(-1).choices[0].finish_reason).toBe("stop");
    const object = await complete({ model: "object_pipe", messages: [{ role: "user", content: "go" }] });
    expect(object.body.choices[0].message.content).toBe("an object answer");
  });

  it("serves a custom model on top of an upstream model, with its system prompt and parameters", async () => {
    const created = await sluice.api.post(
      "/api/v1/models/create",
      { id: "brief_helper", name: "Brief helper", base_model_id: "fake-small", params: { system: "Be brief.", temperature: 0.2 } },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const answer = await complete({ model: "brief_helper", messages: [{ role: "user", content: "hi" }], temperature: 0.9 });
    expect(answer.body).toMatchObject({ model: "brief_helper", choices: [{ message: { content: "You said: hi" } }] });
    const sent = fake.chatBodies().at(-1)!;
    expect(sent).toMatchObject({
      model: "fake-small",
      temperature: 0.9,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
    });
    await complete({ model: "brief_helper", messages: [{ role: "user", content: "again" }] });
    expect(fake.chatBodies().at(-1)).toMatchObject({ temperature: 0.2 });
    const models = await sluice.api.get("/api/models", user.token);
    expect(models.body.data.find((model: { id: string }) => model.id === "brief_helper")).toMatchObject({ name: "Brief helper" });
  });

  it("ends a stream cleanly with an error chunk when a pipe throws midway", async () => {
    const response = await stream({ model: "streamer.one", messages: [{ role: "user", content: "explode" }] });
    expect(response.status).toBe(200);
    const { events, isDone } = await readSse(response);
    expect(contentOf(events)).toBe("model one: abc");
    expect(events.at(-1).error).toMatchObject({ detail: expect.stringContaining("pipe blew up"), plugin_id: "streamer" });
    expect(isDone).toBe(true);
    // The same failure answered as JSON carries the same fields as the stream's error frame.
    const answered = await complete({ model: "streamer.one", messages: [{ role: "user", content: "explode" }] });
    expect(answered.status).toBe(400);
    expect(answered.body).toEqual(events.at(-1).error);
    expect(answered.body).toMatchObject({ code: "PLUGIN_ERROR", plugin_id: "streamer", hook: "pipe" });
  });

  it("refuses bad requests with clear errors", async () => {
    expectError(await complete({ model: "no-such-model", messages: [{ role: "user", content: "x" }] }), 404, "no-such-model");
    expectError(await complete({ model: "inactive_pipe", messages: [{ role: "user", content: "x" }] }), 404);
    expectError(await complete({ model: "fake-small", messages: [] }), 400, "messages");
    expectError(await complete({ model: "fake-small", messages: [{ role: "wizard", content: "x" }] }), 400, "role");
    expectError(await complete({ messages: [{ role: "user", content: "x" }] }), 400, "model");
    expectError(await complete({ model: "fake-small", messages: [{ role: "user", content: "please fail" }] }), 502, "upstream exploded");
    expectError(await sluice.api.post("/api/chat/completions", { model: "fake-small", messages: [{ role: "user", content: "x" }] }), 401);
  });

  it("runs inlet, stream and outlet filters in priority order, global and per model", async () => {
    await createFunction("shout", shoutFilter, { global: true });
    await createFunction("drop", dropFilter, { global: true });
    await createFunction("mark_b", markerFilter("B", 5), { global: true });
    await createFunction("mark_a", markerFilter("A", 5), { global: true });
    await createFunction("mark_first", markerFilter("FIRST", -1), { global: true });
    await createFunction("mark_model", markerFilter("MODEL", 10));
    await createFunction("mark_chip", markerFilter("CHIP", 20, { toggle: true }), { global: true });

    const streamed = await readSse(await stream({ model: "fake-small", messages: [{ role: "user", content: "my secret" }] }));
    // inlet upper-cased the message before the upstream saw it; stream replaced SECRET.
    expect(contentOf(streamed.events)).toBe("You said: MY ******");
    const sent = fake.chatBodies().at(-1)!;
    expect((sent.messages as any[])[0]).toEqual({ role: "system", content: "marks: FIRST A B" });

    // A model's own filterIds add a filter; a toggle filter runs only when switched on.
    const settings = await sluice.api.post(
      "/api/v1/models/create",
      { id: "fake-small", name: "Fake Small", meta: { filterIds: ["mark_model"] } },
      admin.token,
    );
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    await complete({ model: "fake-small", messages: [{ role: "user", content: "x" }], filter_ids: ["mark_chip"] });
    expect((fake.chatBodies().at(-1)!.messages as any[])[0].content).toBe("marks: FIRST A B MODEL CHIP");
    const models = await sluice.api.get("/api/models", user.token);
    expect(
      models.body.data.find((model: { id: string }) => model.id === "fake-small").filters.map((filter: { id: string }) => filter.id),
    ).toEqual(["mark_chip"]);
  });

  it("drops chunks a stream filter returns null for", async () => {
    const { events } = await readSse(await stream({ model: "fake-small", messages: [{ role: "user", content: "drop this" }] }));
    expect(contentOf(events)).not.toContain("DROP");
  });

  it("aborts the turn with the inlet's error message", async () => {
    await createFunction("guard", guardFilter, { global: true });
    const refused = await complete({ model: "fake-small", messages: [{ role: "user", content: "I curse you" }] });
    expectError(refused, 400, "No cursing allowed");
    expect(refused.body).toMatchObject({ plugin_id: "guard", hook: "inlet" });
  });
});
