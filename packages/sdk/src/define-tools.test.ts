import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineTools } from "./define-tools.ts";

describe("defineTools", () => {
  it("returns a frozen object of kind tools keeping the tools", () => {
    const plugin = defineTools({
      tools: { ping: { description: "Ping", parameters: z.object({}), execute: () => "pong" } },
    });
    expect(plugin.kind).toBe("tools");
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(plugin.tools.ping.execute({}, undefined as never)).toBe("pong");
  });

  it("types execute's arguments from each tool's parameters and ctx.valves from valves", () => {
    defineTools({
      valves: z.object({ apiKey: z.string().default("") }),
      userValves: z.object({ units: z.enum(["metric", "imperial"]).default("metric") }),
      tools: {
        weather: {
          description: "Weather",
          parameters: z.object({ city: z.string(), days: z.number().default(1) }),
          execute(args, ctx) {
            expectTypeOf(args).toEqualTypeOf<{ city: string; days: number }>();
            expectTypeOf(ctx.valves.apiKey).toEqualTypeOf<string>();
            expectTypeOf(ctx.user.valves.units).toEqualTypeOf<"metric" | "imperial">();
            return args.city;
          },
        },
        add: {
          description: "Add",
          parameters: z.object({ a: z.number(), b: z.number() }),
          execute: ({ a, b }) => {
            expectTypeOf(a).toEqualTypeOf<number>();
            return a + b;
          },
        },
      },
    });
  });
});
