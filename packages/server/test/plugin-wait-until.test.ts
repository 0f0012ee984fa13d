import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";
import { PLUGIN_TIERS } from "./helpers/install-function.ts";

// Issue 11, point 11: `ctx.waitUntil` keeps a plugin's work going after its hook returned
// (storage, emit still working for it), bounded by PLUGIN_WAIT_UNTIL_MS, failures logged; in the
// isolated tier and the trusted tier (`permissions: node`).

const TIERS = PLUGIN_TIERS;

const WAIT_UNTIL_MS = 3000;

/**
 * A global filter driven by markers in the last message: "[remember <tier>] x" has its outlet
 * keep work going that waits for "[release <tier>]" (a storage key) before it stores x;
 * "[recall <tier>]" has the inlet put what was stored into the message (the fake model echoes it);
 * "[forever <tier>]" keeps work going that never ends; "[reject <tier>]" work that rejects.
 */
const memoryWriter = (tier: string, frontmatter: string) => `/**
 * title: Memory writer ${tier}
${frontmatter} */
import { defineFilter } from "@sluice/sdk";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const lastText = (body) => String(body.messages.findLast((message) => message.role === "user")?.content ?? "");
export default defineFilter({
  async inlet(body, ctx) {
    const text = lastText(body);
    if (text.startsWith("[release ${tier}]")) await ctx.storage.set("go", true);
    if (text.startsWith("[recall ${tier}]")) {
      const remembered = (await ctx.storage.get("remembered")) ?? "nothing";
      body.messages.at(-1).content = "recalled " + remembered;
    }
    return body;
  },
  async outlet(body, ctx) {
    const text = lastText(body);
    const remember = /^\\[remember ${tier}\\] (.*)$/.exec(text);
    if (remember) {
      await ctx.storage.delete("go");
      ctx.waitUntil((async () => {
        while (!(await ctx.storage.get("go"))) await sleep(25);
        await ctx.storage.set("remembered", remember[1]);
      })());
    }
    if (text.startsWith("[forever ${tier}]")) ctx.waitUntil(new Promise(() => {}));
    if (text.startsWith("[reject ${tier}]")) ctx.waitUntil(sleep(10).then(() => { throw new Error("the index of ${tier} is full"); }));
    return body;
  },
});
`;

/** A streaming pipe whose background work stores the message after its last chunk; "read" answers what is stored. */
const streamingPipe = (tier: string, frontmatter: string) => `/**
 * title: Background pipe ${tier}
${frontmatter} */
import { definePipe } from "@sluice/sdk";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default definePipe({
  async *pipe(body, ctx) {
    const text = String(body.messages.at(-1).content);
    if (text === "read") {
      yield String((await ctx.storage.get("piped")) ?? "nothing");
      return;
    }
    await ctx.storage.delete("piped");
    ctx.waitUntil(sleep(300).then(() => ctx.storage.set("piped", text)));
    yield "stored ";
    yield "later";
  },
});
`;

describeEachDatabase("ctx.waitUntil over HTTP", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { PLUGIN_WAIT_UNTIL_MS: String(WAIT_UNTIL_MS) };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let ada: TestAccount;

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
    for (const { tier, frontmatter } of TIERS) {
      const id = `writer_${tier}`;
      const created = await sluice.api.post(
        "/api/v1/functions/create",
        { id, name: id, content: memoryWriter(tier, frontmatter) },
        admin.token,
      );
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      if (tier === "trusted")
        expect((await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token)).status).toBe(200);
      expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token)).body.is_active).toBe(true);
      expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token)).body.is_global).toBe(true);
      const pipeId = `bg_pipe_${tier}`;
      const pipe = await sluice.api.post(
        "/api/v1/functions/create",
        { id: pipeId, name: pipeId, content: streamingPipe(tier, frontmatter) },
        admin.token,
      );
      expect(pipe.status, JSON.stringify(pipe.body)).toBe(200);
      if (tier === "trusted")
        expect((await sluice.api.post(`/api/v1/functions/id/${pipeId}/permissions/approve`, {}, admin.token)).status).toBe(200);
      expect((await sluice.api.post(`/api/v1/functions/id/${pipeId}/toggle`, undefined, admin.token)).body.is_active).toBe(true);
    }
  });

  const say = async (content: string, model = "fake-small") => {
    const response = await sluice.api.post(
      "/api/chat/completions",
      { model, messages: [{ role: "user", content }], stream: false },
      ada.token,
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.choices[0].message.content as string;
  };
  /** Polls the server's log until `pattern` shows up, at most `timeoutMs`. */
  const logLine = (pattern: RegExp, timeoutMs: number) =>
    expect.poll(() => pattern.test(sluice.server.output()), { timeout: timeoutMs, interval: 100 }).toBe(true);

  for (const { tier } of TIERS) {
    it(`stores what the outlet's background work writes after the answer was returned, the plugin saved meanwhile (${tier} tier)`, async () => {
      expect(await say(`[remember ${tier}] tea, no sugar`)).toBe(`You said: [remember ${tier}] tea, no sugar`);
      // The answer came back while the work still waits for its go.
      expect(await say(`[recall ${tier}]`)).toBe("You said: recalled nothing");
      // Saving the plugin meanwhile replaces it for later requests; the running work keeps its sandbox.
      const id = `writer_${tier}`;
      const content = memoryWriter(tier, TIERS.find((entry) => entry.tier === tier)!.frontmatter) + "// saved again\n";
      const updated = await sluice.api.post(`/api/v1/functions/id/${id}/update`, { id, name: id, content }, admin.token);
      expect(updated.status, JSON.stringify(updated.body)).toBe(200);
      await say(`[release ${tier}]`);
      await expect.poll(() => say(`[recall ${tier}]`), { timeout: WAIT_UNTIL_MS, interval: 100 }).toBe("You said: recalled tea, no sugar");
    });

    it(`keeps a streamed pipe's background work going after its last chunk (${tier} tier)`, async () => {
      expect(await say("remember me", `bg_pipe_${tier}`)).toBe("stored later");
      expect(await say("read", `bg_pipe_${tier}`)).toBe("nothing");
      await expect.poll(() => say("read", `bg_pipe_${tier}`), { timeout: WAIT_UNTIL_MS, interval: 100 }).toBe("remember me");
    });

    it(`cuts background work past PLUGIN_WAIT_UNTIL_MS and logs it, and logs work that failed (${tier} tier)`, async () => {
      const started = Date.now();
      expect(await say(`[forever ${tier}]`)).toBe(`You said: [forever ${tier}]`);
      expect(Date.now() - started).toBeLessThan(WAIT_UNTIL_MS);
      await logLine(
        new RegExp(
          `background work \\(ctx.waitUntil\\) of plugin \\\\"writer_${tier}\\\\" ran past PLUGIN_WAIT_UNTIL_MS \\(${WAIT_UNTIL_MS} ms\\) and was cut`,
        ),
        WAIT_UNTIL_MS + 5000,
      );
      expect(await say(`[reject ${tier}]`)).toBe(`You said: [reject ${tier}]`);
      await logLine(new RegExp(`failed: the index of ${tier} is full`), 5000);
      // The plugin goes on working.
      expect(await say(`[recall ${tier}]`)).toMatch(/^You said: recalled /);
    });
  }
});
