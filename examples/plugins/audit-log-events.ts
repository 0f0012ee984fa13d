/**
 * title: Audit log
 * author: Sluice examples
 * version: 1.0.0
 * description: Writes a line for every server event (chats, messages, plugins, files, sign-ins) to the plugin's storage.
 * required_sluice_version: >=0.1
 */
import { defineEvents, z, type ServerEvent } from "@sluice/sdk";

/** One line of the log, as stored under its key. */
interface AuditLine {
  name: string;
  subject: { type: string; id: string };
  /** Who did it (their email), or "server". */
  actor: string;
  at: string;
  data: unknown;
}

/**
 * Keys sort by time (`ctx.storage.list("audit:")` reads the log in order) and are unique per
 * event: a line is written once even if an event were delivered twice.
 */
const keyOf = (event: ServerEvent) => `audit:${String(event.ts).padStart(15, "0")}:${event.id}`;

export default defineEvents({
  valves: z.object({
    keepDays: z.number().int().min(1).max(3650).default(90).describe("Days a line is kept"),
    includeSignIns: z.boolean().default(true).describe("Write a line for each sign-in too"),
  }),
  on: {
    "*": async (event, ctx) => {
      if (event.name === "user.signed_in" && !ctx.valves.includeSignIns) return;
      const line: AuditLine = {
        name: event.name,
        subject: event.subject,
        actor: event.actor?.email ?? "server",
        at: new Date(event.ts).toISOString(),
        data: event.data,
      };
      await ctx.storage.set(keyOf(event), line, { ttlSeconds: ctx.valves.keepDays * 24 * 60 * 60 });
    },
    // Sent to this plugin alone before an admin switches it off; the server waits for it.
    "function.disable_started": async (event, ctx) => {
      const lines = await ctx.storage.list("audit:");
      ctx.log.info(`audit log switched off by ${event.actor?.email ?? "the server"} with ${lines.length} lines kept`);
    },
  },
});
