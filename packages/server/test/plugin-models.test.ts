import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { messageText } from "./helpers/fake-upstream-reply.ts";
import { useServer } from "./helpers/use-server.ts";
import { PLUGIN_TIERS } from "./helpers/install-function.ts";

// Issue 11, points 2, 8 and 9: `ctx.models` (list, complete through Sluice's own pipeline as the
// user, streamed or not, filters on or off, nesting bounded) in the isolated tier and the trusted
// tier (`permissions: node`); an inlet that re-routes the turn; the filters' `request` hook.

const TIERS = PLUGIN_TIERS;

/** A pipe that runs the `ctx.models` command in the last message and answers its result as JSON. */
const modelsConsole = (frontmatter: string) => `/**
 * title: Models console
${frontmatter} */
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    const command = JSON.parse(body.messages.at(-1).content);
    const ask = (content, stream) => ({ model: command.model, messages: [{ role: "user", content }], stream });
    switch (command.op) {
      case "list": return JSON.stringify(await ctx.models.list());
      case "task": return JSON.stringify({ task: ctx.models.task });
      case "complete": {
        const reply = await ctx.models.complete(ask(command.content, false), { filters: command.filters });
        return JSON.stringify({ object: reply.object, model: reply.model, content: reply.choices[0].message.content });
      }
      case "stream": {
        const pieces = [];
        for await (const chunk of await ctx.models.complete(ask(command.content, true), { filters: command.filters })) {
          pieces.push(chunk.choices[0]?.delta?.content ?? "");
        }
        return JSON.stringify({ pieces });
      }
      case "first": {
        // Reads the first text of a long answer and stops: the model call ends there.
        for await (const chunk of await ctx.models.complete(ask(command.content, true))) {
          const content = chunk.choices[0]?.delta?.content;
          if (content) return JSON.stringify({ first: content });
        }
      }
      case "self": return JSON.stringify(await ctx.models.complete({ model: ctx.model.id, messages: body.messages }));
    }
  },
});
`;

/** A global filter that marks what reaches fake-small through its inlet and its request hook, when asked to. */
const TAGGER = `/**
 * title: Tagger
 */
import { defineFilter } from "@sluice/sdk";
const tag = (body, mark) => {
  const last = body.messages.at(-1);
  if (body.model !== "fake-small" || typeof last?.content !== "string" || !last.content.includes("tag me")) return body;
  return { ...body, messages: [...body.messages.slice(0, -1), { ...last, content: last.content + " " + mark }] };
};
export default defineFilter({
  inlet: (body) => tag(body, "[inlet]"),
  request: (body) => tag(body, "[request]"),
});
`;

/** A global filter whose inlet sends the turn to the model a message names: "route[<tier>] to <model>: …". */
const router = (tier: string, frontmatter: string) => `/**
 * title: Router ${tier}
${frontmatter} */
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  inlet(body) {
    const match = /^route\\[${tier}\\] to ([\\w.-]+):/.exec(body.messages.at(-1)?.content ?? "");
    if (match) body.model = match[1];
    return body;
  },
});
`;

/** A global filter whose request hook tells the model how many messages this call carries: "[count <tier>]" turns it on. */
const counter = (tier: string, frontmatter: string) => `/**
 * title: Counter ${tier}
${frontmatter} */
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  request(body) {
    if (!body.messages.some((message) => message.role === "user" && String(message.content).includes("[count ${tier}]"))) return;
    return { ...body, messages: [{ role: "system", content: "call of " + body.messages.length + " messages" }, ...body.messages] };
  },
});
`;

const WEATHER_TOOL = `import { defineTools, z } from "@sluice/sdk";
export default defineTools({
  tools: {
    weather: {
      description: "The weather in a city",
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => "sunny in " + city,
    },
  },
});
`;

describeEachDatabase("ctx.models, re-routing and the request hook over HTTP", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { TASK_MODEL: "fake-small" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let ada: TestAccount;

  const install = async (id: string, content: string, options: { isTrusted?: boolean; isGlobal?: boolean } = {}) => {
    const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    if (options.isTrusted) {
      const approved = await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token);
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    }
    expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token)).body.is_active).toBe(true);
    if (options.isGlobal) {
      expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token)).body.is_global).toBe(true);
    }
  };

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
    await install("tagger", TAGGER, { isGlobal: true });
    for (const { tier, frontmatter } of TIERS) {
      const isTrusted = tier === "trusted";
      await install(`models_${tier}`, modelsConsole(frontmatter), { isTrusted });
      await install(`router_${tier}`, router(tier, frontmatter), { isTrusted, isGlobal: true });
      await install(`counter_${tier}`, counter(tier, frontmatter), { isTrusted, isGlobal: true });
    }
    // fake-large is the admin's only; "brief" is everyone's, on top of fake-large with its own system prompt.
    const rows = [
      { id: "fake-large", name: "Fake Large", access_control: {} },
      { id: "brief", name: "Brief", base_model_id: "fake-large", params: { system: "Be brief." }, access_control: null },
    ];
    for (const row of rows) {
      const created = await sluice.api.post("/api/v1/models/create", { meta: {}, params: {}, ...row }, admin.token);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
    }
    const tool = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "weather_tool", name: "Weather", content: WEATHER_TOOL, access_control: null },
      admin.token,
    );
    expect(tool.status, JSON.stringify(tool.body)).toBe(200);
  });

  const chat = (account: TestAccount, model: string, content: string, fields: Record<string, unknown> = {}) =>
    sluice.api.request("POST", "/api/chat/completions", {
      token: account.token,
      body: { model, messages: [{ role: "user", content }], ...fields },
    });
  const answerOf = (response: { status: number; body: any }) => {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.choices[0].message.content as string;
  };
  const run = async (account: TestAccount, tier: string, command: unknown) =>
    JSON.parse(answerOf(await chat(account, `models_${tier}`, JSON.stringify(command))));

  for (const { tier } of TIERS) {
    it(`lists the models the user may use, and names the task model (${tier} tier)`, async () => {
      const adas = (await run(ada, tier, { op: "list" })) as Array<{ id: string; name: string; owned_by: string; meta: unknown }>;
      const ids = adas.map((model) => model.id);
      expect(ids).toEqual(expect.arrayContaining(["fake-small", "brief", "models_isolated", "models_trusted"]));
      expect(ids).not.toContain("fake-large");
      expect(adas.find((model) => model.id === "models_isolated")).toEqual({
        id: "models_isolated",
        name: "models_isolated",
        owned_by: "sluice",
        meta: {},
      });
      expect(adas.find((model) => model.id === "brief")).toMatchObject({ name: "Brief", owned_by: "fake", meta: {} });
      expect((await run(admin, tier, { op: "list" })).map((model: { id: string }) => model.id)).toContain("fake-large");
      expect(await run(ada, tier, { op: "task" })).toEqual({ task: "fake-small" });
    });

    it(`answers a chat.completion through the pipeline, the model's filters on or off (${tier} tier)`, async () => {
      expect(await run(ada, tier, { op: "complete", model: "fake-small", content: `tag me ${tier}` })).toEqual({
        object: "chat.completion",
        model: "fake-small",
        content: `You said: tag me ${tier} [inlet] [request]`,
      });
      expect(await run(ada, tier, { op: "complete", model: "fake-small", content: `tag me ${tier}`, filters: false })).toEqual({
        object: "chat.completion",
        model: "fake-small",
        content: `You said: tag me ${tier}`,
      });
      // A custom model's own settings apply, as for a client's request.
      await run(ada, tier, { op: "complete", model: "brief", content: `briefly ${tier}` });
      expect(fake.chatBodies().at(-1)).toMatchObject({
        model: "fake-large",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: `briefly ${tier}` },
        ],
      });
    });

    it(`streams the answer chunk by chunk, and stops the model when the plugin stops reading (${tier} tier)`, async () => {
      const streamed = await run(ada, tier, { op: "stream", model: "fake-small", content: `tag me ${tier}` });
      expect(streamed.pieces.join("")).toBe(`You said: tag me ${tier} [inlet] [request]`);
      expect(streamed.pieces.filter(Boolean).length).toBeGreaterThan(1);
      const bypassed = await run(ada, tier, { op: "stream", model: "fake-small", content: `tag me ${tier}`, filters: false });
      expect(bypassed.pieces.join("")).toBe(`You said: tag me ${tier}`);

      const aborted = fake.abortedRequests;
      const started = Date.now();
      expect(await run(ada, tier, { op: "first", model: "fake-small", content: `slow ${tier}` })).toEqual({
        first: "tick ",
      });
      // 200 pieces 50 ms apart would take 10 s: the call ended with the plugin's reading.
      expect(Date.now() - started).toBeLessThan(5000);
      await expect.poll(() => fake.abortedRequests).toBe(aborted + 1);
    });

    it(`refuses a model the user may not use, and a pipe calling itself, with clear errors (${tier} tier)`, async () => {
      expectError(
        await chat(ada, `models_${tier}`, JSON.stringify({ op: "complete", model: "fake-large", content: "hi" })),
        403,
        'ctx.models.complete: model "fake-large" is not available to this user',
      );
      expectError(
        await chat(ada, `models_${tier}`, JSON.stringify({ op: "stream", model: "no-such-model", content: "hi" })),
        403,
        'model "no-such-model" is not available',
      );
      const before = fake.chatBodies().length;
      const looped = await chat(ada, `models_${tier}`, JSON.stringify({ op: "self" }));
      expectError(looped, 400, "nested 4 deep, past the limit of 3 (PLUGIN_MODEL_CALL_MAX_DEPTH)");
      expect(fake.chatBodies().length).toBe(before);
    });

    it(`re-routes a turn to the model an inlet chose, with that model's settings (${tier} tier)`, async () => {
      const routed = await chat(ada, "fake-small", `route[${tier}] to brief: hello`);
      expect(answerOf(routed)).toBe(`You said: route[${tier}] to brief: hello`);
      expect(routed.body.model).toBe("brief");
      expect(fake.chatBodies().at(-1)).toMatchObject({
        model: "fake-large",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: `route[${tier}] to brief: hello` },
        ],
      });
    });

    it(`refuses a re-route to a model the user may not use with 403, and calls no model (${tier} tier)`, async () => {
      const before = fake.chatBodies().length;
      expectError(
        await chat(ada, "fake-small", `route[${tier}] to fake-large: hello`),
        403,
        'An inlet filter sent this turn to model "fake-large", which is not available to you',
      );
      expect(fake.chatBodies().length).toBe(before);
      // The admin may use it.
      expect(answerOf(await chat(admin, "fake-small", `route[${tier}] to fake-large: hello`))).toBe(
        `You said: route[${tier}] to fake-large: hello`,
      );
      expect(fake.chatBodies().at(-1)).toMatchObject({ model: "fake-large" });
    });

    it(`runs the request hook before every model call, each tool round too (${tier} tier)`, async () => {
      const before = fake.chatBodies().length;
      const answer = answerOf(await chat(ada, "fake-small", `weather in Oslo [count ${tier}]`, { tool_ids: ["weather_tool"] }));
      expect(answer).toBe("Tool said: sunny in Oslo");
      const calls = fake.chatBodies().slice(before) as Array<{ messages: Array<{ role: string; content: unknown }> }>;
      expect(calls).toHaveLength(2);
      expect(calls.map((call) => call.messages.filter((message) => message.role === "system").map(messageText))).toEqual([
        ["call of 1 messages"],
        ["call of 3 messages"],
      ]);
      expect(calls[1]!.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "tool"]);
    });
  }
});
