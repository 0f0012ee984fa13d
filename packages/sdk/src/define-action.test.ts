import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineAction } from "./define-action.ts";

describe("defineAction", () => {
  it("returns a frozen object of kind action keeping its buttons", () => {
    const plugin = defineAction({ actions: [{ id: "up", name: "Up", icon_url: "https://x/icon.svg" }], action: () => null });
    expect(plugin).toMatchObject({ kind: "action", actions: [{ id: "up", name: "Up", icon_url: "https://x/icon.svg" }] });
    expect(Object.isFrozen(plugin)).toBe(true);
  });

  it("types the body and the valves", () => {
    defineAction({
      valves: z.object({ language: z.string().default("en") }),
      action(body, ctx) {
        expectTypeOf(body.id).toEqualTypeOf<string>();
        expectTypeOf(ctx.valves.language).toEqualTypeOf<string>();
        return { messages: [{ id: body.id, content: "x" }] };
      },
    });
  });
});
