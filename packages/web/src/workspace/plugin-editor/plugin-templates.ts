import type { PluginKind } from "../plugin-api.ts";

const PIPE = `/**
 * title: Echo
 * author: me
 * version: 0.1.0
 * description: A model that answers with the last message. Replace the body of pipe() with a call to your API.
 */
import { definePipe, z } from "@sluice/sdk";

export default definePipe({
  valves: z.object({
    prefix: z.string().default("You said: ").describe("Put before every answer"),
  }),
  async *pipe(body, ctx) {
    const last = body.messages.at(-1);
    await ctx.emit({ type: "status", data: { description: "Thinking…", done: false } });
    yield ctx.valves.prefix;
    yield typeof last?.content === "string" ? last.content : "(something that is not text)";
    await ctx.emit({ type: "status", data: { description: "Done", done: true } });
  },
});
`;

const FILTER = `/**
 * title: My filter
 * author: me
 * version: 0.1.0
 * description: Runs before and after the model. Change the request in inlet, each chunk in stream, the saved reply in outlet.
 */
import { defineFilter, z } from "@sluice/sdk";

export default defineFilter({
  valves: z.object({
    priority: z.number().default(0).describe("Filters run in ascending priority, then by id"),
    maxTurns: z.number().int().min(1).default(20).describe("Most user turns in one chat"),
  }),
  userValves: z.object({
    showStatus: z.boolean().default(true).describe("Show a status line on each turn"),
  }),
  async inlet(body, ctx) {
    const turns = body.messages.filter((message) => message.role === "user").length;
    // Throwing here stops the turn: the user sees the message and the model is not called.
    if (turns > ctx.valves.maxTurns) throw new Error(\`This chat reached \${ctx.valves.maxTurns} turns\`);
    if (ctx.user.valves.showStatus) {
      await ctx.emit({ type: "status", data: { description: \`Turn \${turns} of \${ctx.valves.maxTurns}\`, done: true } });
    }
    return body;
  },
  outlet(body) {
    // The messages with the reply, after it was saved; return them changed to change the chat.
    return body;
  },
});
`;

const ACTION = `/**
 * title: Shout
 * author: me
 * version: 0.1.0
 * description: A button under each reply that upper-cases it.
 */
import { defineAction } from "@sluice/sdk";

export default defineAction({
  async action(body, ctx) {
    // body.id is the message whose button was pressed.
    const message = body.messages.find((entry) => entry.id === body.id);
    if (typeof message?.content !== "string") return;
    await ctx.emit({ type: "notification", data: { type: "info", content: "Shouting…" } });
    return { messages: [{ id: body.id, content: message.content.toUpperCase() }] };
  },
});
`;

const TOOLS = `/**
 * title: Text tools
 * author: me
 * version: 0.1.0
 * description: Functions the model may call. Describe every parameter: the model reads it.
 */
import { defineTools, z } from "@sluice/sdk";

export default defineTools({
  tools: {
    count_words: {
      description: "Counts the words in a text",
      parameters: z.object({
        text: z.string().describe("The text to count"),
      }),
      execute({ text }) {
        return { words: text.split(/\\s+/).filter(Boolean).length };
      },
    },
    reverse: {
      description: "Reverses a text",
      parameters: z.object({
        text: z.string().describe("The text to reverse"),
      }),
      execute({ text }) {
        // Expected failures are results the model reads, not exceptions.
        if (text.length > 10_000) return { error: "The text is too long (10,000 characters at most)" };
        return [...text].reverse().join("");
      },
    },
  },
});
`;

const EVENTS = `/**
 * title: Audit log
 * author: me
 * version: 0.1.0
 * description: Keeps a line for every chat and function change, in the plugin's storage.
 */
import { defineEvents, z } from "@sluice/sdk";

export default defineEvents({
  valves: z.object({
    keepDays: z.number().int().min(1).default(30).describe("How long a line is kept"),
  }),
  on: {
    // A name, or a pattern where * stands for any text. Delivered after the request that caused it.
    "chat.*": async (event, ctx) => {
      const line = { name: event.name, subject: event.subject, actor: event.actor?.email ?? null, ts: event.ts };
      await ctx.storage.set(\`audit:\${event.ts}:\${event.id}\`, line, { ttlSeconds: ctx.valves.keepDays * 86400 });
    },
    // Sent to this plugin alone before it is switched off; the server waits for it.
    "function.disable_started": async (event, ctx) => {
      ctx.log.info("audit log switched off by", event.actor?.email ?? "the server");
    },
  },
});
`;

/** The code a new plugin of each kind starts from: a working example with valves and comments. */
export const PLUGIN_TEMPLATES: Record<PluginKind, string> = { pipe: PIPE, filter: FILTER, action: ACTION, tools: TOOLS, events: EVENTS };

/** What the kinds are for, for the "New" menu. */
export const KIND_DESCRIPTIONS: Record<PluginKind, string> = {
  pipe: "A model of its own (or several): answers chats itself or calls another API",
  filter: "Hooks around every model call: change requests, streamed chunks and replies",
  action: "A button under messages that runs code on them",
  tools: "Functions the model may call",
  events: "Runs on server events (chats, messages, plugins, sign-ins): audit logs, sync, cleanup",
};
