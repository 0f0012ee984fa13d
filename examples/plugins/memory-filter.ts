/**
 * title: Memory
 * author: Sluice examples
 * version: 1.0.0
 * description: Reminds the model of what it knows about the user, and remembers what the user asks it to.
 * required_sluice_version: >=0.1
 */
import { defineFilter, z } from "@sluice/sdk";

/** "Remember that I take my tea without sugar" → "I take my tea without sugar". */
const REMEMBER = /^\s*(?:please\s+)?remember(?:\s+that)?\s+(.+?)\s*[.!]?\s*$/i;

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (part?.type === "text" && typeof part.text === "string" ? part.text : "")).join(" ");
}

export default defineFilter({
  valves: z.object({
    priority: z.number().default(0).describe("Filters run in ascending priority, then by id"),
    memories: z.number().int().min(1).max(20).default(3).describe("Most memories given to the model per turn"),
  }),
  userValves: z.object({
    enabled: z.boolean().default(true).describe("Use my memories in chats"),
  }),
  async inlet(body, ctx) {
    if (!ctx.user.valves.enabled) return body;
    const last = body.messages.findLast((message) => message.role === "user");
    const question = textOf(last?.content).trim();
    if (!question) return body;
    // The memories that match the question best, from the user's own (never another user's).
    const matches = await ctx.memories.query(question, { k: ctx.valves.memories });
    if (matches.length === 0) return body;
    const known = matches.map((match) => `- ${match.content}`).join("\n");
    body.messages.unshift({ role: "system", content: `What you know about the user:\n${known}` });
    await ctx.emit({ type: "status", data: { description: `Recalled ${matches.length} memories`, done: true } });
    return body;
  },
  async outlet(body, ctx) {
    if (!ctx.user.valves.enabled) return body;
    const asked = body.messages.findLast((message) => message.role === "user");
    const fact = REMEMBER.exec(textOf(asked?.content))?.[1];
    if (fact) {
      await ctx.memories.add(fact);
      await ctx.emit({ type: "status", data: { description: "Memory saved", done: true } });
    }
    return body;
  },
});
