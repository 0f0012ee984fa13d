import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineEvents } from "../define-events.ts";
import { createTestHarness } from "../testing/index.ts";
import { findPlugin } from "./find-plugin.ts";

describe("event plugins in the runtime", () => {
  it("runs every handler whose name or pattern matches, in the order written, with no user", async () => {
    const seen: string[] = [];
    const harness = createTestHarness(
      defineEvents({
        valves: z.object({ tag: z.string().default("audit") }),
        on: {
          "chat.created": (event, ctx) => void seen.push(`${ctx.valves.tag}:exact:${event.data.title}`),
          "chat.*": (event) => void seen.push(`prefix:${event.name}`),
          "*.deleted": (event) => void seen.push(`suffix:${event.name}`),
          "function.enabled": () => void seen.push("never"),
        },
      }),
    );
    expect(harness.descriptor).toMatchObject({
      kind: "events",
      hooks: ["event"],
      events: ["chat.created", "chat.*", "*.deleted", "function.enabled"],
    });
    await harness.event("chat.created", { data: { title: "Plans" } });
    await harness.event("chat.deleted");
    expect(seen).toEqual(["audit:exact:Plans", "prefix:chat.created", "prefix:chat.deleted", "suffix:chat.deleted"]);
  });

  it("keeps ctx.storage (the plugin's own) but has no user: ctx.storage.user fails", async () => {
    const harness = createTestHarness(
      defineEvents({
        on: {
          "user.signed_in": async (event, ctx) => {
            await ctx.storage.set(`last:${event.subject.id}`, event.ts);
            await ctx.storage.user.set("x", 1);
          },
        },
      }),
    );
    await expect(harness.event("user.signed_in", { subject: { type: "user", id: "u1" }, ts: 42 })).rejects.toThrow();
    expect(harness.storage.plugin).toEqual({ "last:u1": 42 });
  });

  it("runs the other handlers when one throws, then fails with the first error", async () => {
    const seen: string[] = [];
    const harness = createTestHarness(
      defineEvents({
        on: {
          "file.*": () => {
            throw new Error("disk full");
          },
          "file.uploaded": () => void seen.push("second"),
        },
      }),
    );
    await expect(harness.event("file.uploaded")).rejects.toThrow("disk full");
    expect(seen).toEqual(["second"]);
  });

  it("takes Open WebUI's class Event, whose event method gets every event", async () => {
    const names: string[] = [];
    class Event {
      event(event: { name: string }) {
        names.push(event.name);
      }
    }
    const harness = createTestHarness({ Event });
    expect(harness.descriptor.kind).toBe("events");
    await harness.event("system.startup");
    await harness.event("tool.deleted");
    expect(names).toEqual(["system.startup", "tool.deleted"]);
  });

  it.each([
    [{ on: { "chat.create": () => {} } }, '"chat.create" matches no server event'],
    [{ on: { "Chat Created": () => {} } }, '"Chat Created" is not an event name or pattern'],
    [{ on: { "chat.*": "log" } }, 'the handler of "chat.*" must be a function'],
    [{ on: {} }, 'an event plugin needs handlers in "on"'],
  ])("refuses a malformed event plugin with a clear message", (definition, message) => {
    expect(() => findPlugin({ default: { ...definition, kind: "events" } })).toThrow(message);
  });
});
