import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineEvents } from "./define-events.ts";
import type { ServerEvent } from "./server-event.ts";

describe("defineEvents", () => {
  it("returns a frozen object of kind events keeping the handlers", () => {
    const plugin = defineEvents({ on: { "chat.created": () => "seen" } });
    expect(plugin.kind).toBe("events");
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(plugin.on["chat.created"]({} as never, undefined as never)).toBe("seen");
  });

  it("types each handler's event by its name or pattern, and ctx.valves from valves", () => {
    defineEvents({
      valves: z.object({ keepDays: z.number().default(30) }),
      on: {
        "chat.created": (event, ctx) => {
          expectTypeOf(event.name).toEqualTypeOf<"chat.created">();
          expectTypeOf(event.data).toEqualTypeOf<{ title: string }>();
          expectTypeOf(ctx.valves.keepDays).toEqualTypeOf<number>();
        },
        "function.*": (event) => {
          expectTypeOf(event.subject.type).toEqualTypeOf<"function">();
          expectTypeOf(event.data.type).toEqualTypeOf<string>();
        },
        "*.deleted": (event) => {
          expectTypeOf(event.name).toEqualTypeOf<"function.deleted" | "tool.deleted" | "chat.deleted">();
        },
        "*": (event) => {
          expectTypeOf(event).toEqualTypeOf<ServerEvent>();
        },
      },
    });
  });

  it("refuses a name that is no server event, and has no ctx.user", () => {
    defineEvents({
      on: {
        // @ts-expect-error: "chat.create" is not an event
        "chat.create": () => {},
      },
    });
    defineEvents({
      on: {
        "user.signed_in": (event, ctx) => {
          // @ts-expect-error: an event has no requesting user; the actor is on the event
          void ctx.user;
          expectTypeOf(event.actor?.email).toEqualTypeOf<string | undefined>();
        },
      },
    });
  });
});
