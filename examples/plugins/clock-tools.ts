/**
 * title: Clock
 * author: Sluice examples
 * version: 1.0.0
 * description: Tells the model the current date and time in a time zone, and counts days between dates.
 * required_sluice_version: >=0.1
 */
import { defineTools, z } from "@sluice/sdk";

const DAY_MS = 24 * 60 * 60 * 1000;

export default defineTools({
  valves: z.object({
    defaultTimeZone: z.string().default("UTC").describe("Time zone used when neither the model nor the user gives one"),
  }),
  userValves: z.object({
    timeZone: z.string().default("").describe("My time zone, e.g. Europe/Paris (empty: the server's default)"),
  }),
  tools: {
    current_time: {
      description: "The current date and time. Call it whenever the answer depends on today's date or the time.",
      parameters: z.object({
        timeZone: z.string().optional().describe("IANA time zone such as America/New_York; omit for the user's own"),
      }),
      execute({ timeZone }, ctx) {
        const zone = timeZone || ctx.user.valves.timeZone || ctx.valves.defaultTimeZone;
        const now = new Date();
        try {
          const format = new Intl.DateTimeFormat("en-US", {
            timeZone: zone,
            weekday: "long",
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
            timeZoneName: "shortOffset",
          });
          const part = Object.fromEntries(format.formatToParts(now).map(({ type, value }) => [type, value]));
          return {
            timeZone: zone,
            date: `${part.year}-${part.month}-${part.day}`,
            weekday: part.weekday,
            time: `${part.hour}:${part.minute}`,
            utcOffset: part.timeZoneName,
          };
        } catch {
          // An unknown zone is the model's mistake: say so, and it can call again.
          return { error: `Unknown time zone "${zone}"; use an IANA name such as Europe/Berlin` };
        }
      },
    },
    days_between: {
      description: "The number of days from one calendar date to another (negative when `to` is earlier).",
      parameters: z.object({
        from: z.iso.date().describe("Start date, YYYY-MM-DD"),
        to: z.iso.date().describe("End date, YYYY-MM-DD"),
      }),
      execute: ({ from, to }) => ({ from, to, days: Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) }),
    },
  },
});
