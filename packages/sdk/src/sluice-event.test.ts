import { describe, expect, expectTypeOf, it } from "vitest";
import { EVENT_TYPES, type EmittableEvent, type EventOfType, type SluiceEvent, type SluiceEventType } from "./sluice-event.ts";

describe("the event catalog", () => {
  it("lists every known event type once, and only those", () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    expectTypeOf<(typeof EVENT_TYPES)[number]>().toEqualTypeOf<SluiceEventType>();
    expect(EVENT_TYPES).toEqual(
      expect.arrayContaining([
        "status",
        "message",
        "replace",
        "chat:message:delta",
        "chat:message",
        "chat:completion",
        "files",
        "chat:message:files",
        "source",
        "citation",
        "notification",
        "chat:title",
        "chat:outlet",
        "chat:message:error",
        "confirmation",
        "input",
        "execute",
      ]),
    );
  });

  it("narrows by type", () => {
    const describeEvent = (event: SluiceEvent): string => {
      switch (event.type) {
        case "status":
          return event.data.description;
        case "chat:title":
          return event.data;
        case "notification":
          return `${event.data.type}: ${event.data.content}`;
        default:
          return event.type;
      }
    };
    expect(describeEvent({ type: "status", data: { description: "Working" } })).toBe("Working");
    expect(describeEvent({ type: "chat:title", data: "Trip" })).toBe("Trip");
    expect(describeEvent({ type: "notification", data: { type: "error", content: "Oops" } })).toBe("error: Oops");
    expectTypeOf<EventOfType<"input">["data"]["placeholder"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<EmittableEvent<"my:own">>().toEqualTypeOf<{ type: "my:own" } & { data?: unknown }>();
  });
});
