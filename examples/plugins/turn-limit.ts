/**
 * title: Turn Limit
 * author: Sluice examples
 * version: 1.2.0
 * description: Stops a conversation after N user turns.
 * required_sluice_version: >=0.1
 */
import { defineFilter, z } from "@sluice/sdk";

export default defineFilter({
  valves: z.object({
    priority: z.number().default(0).describe("Filters run in ascending priority, then by id"),
    maxTurns: z.number().int().min(1).default(8).describe("Most user turns for everyone"),
  }),
  userValves: z.object({
    maxTurns: z.number().int().min(1).default(4).describe("Most user turns for me"),
  }),
  async inlet(body, ctx) {
    const limit = Math.min(ctx.valves.maxTurns, ctx.user.valves.maxTurns);
    const turns = body.messages.filter((message) => message.role === "user").length;
    // Throwing in inlet aborts the turn: the user sees this message and the model is not called.
    if (turns > limit) throw new Error(`Limit of ${limit} turns reached`);
    await ctx.emit({ type: "status", data: { description: `Turn ${turns} of ${limit}`, done: true } });
    return body;
  },
});
