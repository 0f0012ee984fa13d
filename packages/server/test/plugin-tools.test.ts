import { beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";
import { PLUGIN_TIERS } from "./helpers/install-function.ts";

// Issue 11, point 7: `ctx.tools` (list, call) in pipes and filters, in the isolated tier and the
// trusted tier (`permissions: node`): an agent pipe runs its own tool loop over the request's tools.

const TIERS = PLUGIN_TIERS;

const MATH_TOOL = `import { defineTools, z } from "@sluice/sdk";
export default defineTools({
  tools: {
    add: {
      description: "Adds two numbers",
      parameters: z.object({ a: z.number().describe("first"), b: z.number().describe("second") }),
      async execute({ a, b }, ctx) {
        await ctx.emit({ type: "status", data: { description: "Adding " + a + " and " + b, done: true } });
        return a + b;
      },
    },
  },
});
`;

/** An agent pipe: sums the numbers in the last message with the request's "add" tool, one call per number. */
const agentPipe = (frontmatter: string) => `/**
 * title: Agent
${frontmatter} */
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    const command = JSON.parse(body.messages.at(-1).content);
    const tools = await ctx.tools.list();
    if (command.op === "list") return JSON.stringify(tools);
    if (command.op === "call") {
      try {
        return JSON.stringify({ value: await ctx.tools.call(command.name, command.args) });
      } catch (error) {
        return JSON.stringify({ code: error.code, message: error.message });
      }
    }
    const add = tools.find((tool) => tool.name === "add");
    let sum = 0;
    for (const number of command.numbers) sum = await ctx.tools.call(add.name, { a: sum, b: number });
    return "The sum is " + sum;
  },
});
`;

/** A filter whose inlet tries ctx.tools when asked: the tools are not known yet there. */
const EARLY_FILTER = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  async inlet(body, ctx) {
    if (String(body.messages.at(-1)?.content).includes("[tools in inlet]")) await ctx.tools.list();
    return body;
  },
});
`;

describeEachDatabase("ctx.tools over HTTP", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let ada: TestAccount;

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
    const tool = await sluice.api.post(
      "/api/v1/tools/create",
      { id: "math_tool", name: "Math", content: MATH_TOOL, access_control: null },
      admin.token,
    );
    expect(tool.status, JSON.stringify(tool.body)).toBe(200);
    const installs = [
      ...TIERS.map(({ tier, frontmatter }) => ({ id: `agent_${tier}`, content: agentPipe(frontmatter), isTrusted: tier === "trusted" })),
      { id: "early", content: EARLY_FILTER, isTrusted: false, isGlobal: true },
    ];
    for (const { id, content, isTrusted, isGlobal } of installs as Array<{
      id: string;
      content: string;
      isTrusted: boolean;
      isGlobal?: boolean;
    }>) {
      const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      if (isTrusted) expect((await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token)).status).toBe(200);
      expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token)).body.is_active).toBe(true);
      if (isGlobal)
        expect((await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token)).body.is_global).toBe(true);
    }
  });

  const ask = (model: string, command: unknown, fields: Record<string, unknown> = {}) =>
    sluice.api.post(
      "/api/chat/completions",
      { model, messages: [{ role: "user", content: JSON.stringify(command) }], tool_ids: ["math_tool"], ...fields },
      ada.token,
    );
  const answerOf = (response: { status: number; body: any }) => {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.choices[0].message.content as string;
  };

  for (const { tier } of TIERS) {
    it(`lists the request's tools as the model would see them (${tier} tier)`, async () => {
      expect(JSON.parse(answerOf(await ask(`agent_${tier}`, { op: "list" })))).toEqual([
        {
          name: "add",
          description: "Adds two numbers",
          parameters: expect.objectContaining({
            type: "object",
            properties: { a: { type: "number", description: "first" }, b: { type: "number", description: "second" } },
            required: ["a", "b"],
          }),
        },
      ]);
      // Without tool_ids the request has none.
      expect(JSON.parse(answerOf(await ask(`agent_${tier}`, { op: "list" }, { tool_ids: [] })))).toEqual([]);
    });

    it(`runs its own tool loop and answers with the result; the tool's status lines reach the message (${tier} tier)`, async () => {
      const chat = await sluice.api.post(
        "/api/v1/chats/new",
        { chat: { title: "Agent", messages: [{ id: "u1", role: "user", content: "sum" }] } },
        ada.token,
      );
      const chatId = chat.body.id as string;
      const answer = await ask(`agent_${tier}`, { op: "sum", numbers: [1, 2, 3, 4] }, { chat_id: chatId, id: "a1" });
      expect(answerOf(answer)).toBe("The sum is 10");
      const stored = await sluice.api.get(`/api/v1/chats/${chatId}`, ada.token);
      const message = stored.body.chat.messages.find((entry: { id: string }) => entry.id === "a1");
      expect(message.content).toBe("The sum is 10");
      expect(message.statusHistory.map((status: { description: string }) => status.description)).toEqual([
        "Adding 0 and 1",
        "Adding 1 and 2",
        "Adding 3 and 3",
        "Adding 6 and 4",
      ]);
    });

    it(`gives the plugin a clear error for bad arguments and an unknown tool (${tier} tier)`, async () => {
      const bad = JSON.parse(answerOf(await ask(`agent_${tier}`, { op: "call", name: "add", args: { a: "one", b: 2 } })));
      expect(bad.code).toBe("INVALID_INPUT");
      expect(bad.message).toMatch(/Invalid arguments for tool "add": a: .*expected number/);
      const notObject = JSON.parse(answerOf(await ask(`agent_${tier}`, { op: "call", name: "add", args: [1, 2] })));
      expect(notObject).toMatchObject({ code: "INVALID_INPUT", message: expect.stringMatching(/expects an arguments object/) });
      const unknown = JSON.parse(answerOf(await ask(`agent_${tier}`, { op: "call", name: "subtract", args: {} })));
      expect(unknown).toEqual({
        code: "NOT_FOUND",
        message: 'ctx.tools.call: this request has no tool named "subtract" (its tools are add)',
      });
    });
  }

  it("refuses ctx.tools in an inlet, where the request's tools are not known yet", async () => {
    expectError(await ask("agent_isolated", "[tools in inlet]"), 400, "ctx.tools: this call has no request tools");
  });
});
