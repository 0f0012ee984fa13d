import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { definePipe } from "./define-pipe.ts";

describe("definePipe", () => {
  it("returns a frozen object of kind pipe keeping pipes", () => {
    const plugin = definePipe({ pipes: [{ id: "a", name: "A" }], pipe: () => "hi" });
    expect(plugin).toMatchObject({ kind: "pipe", pipes: [{ id: "a", name: "A" }] });
    expect(Object.isFrozen(plugin)).toBe(true);
  });

  it("accepts strings, objects and (async) generators as results, and types a dynamic pipes list", () => {
    definePipe({ pipe: () => "text" });
    definePipe({ pipe: async () => ({ id: "c", object: "chat.completion", created: 0, model: "m", choices: [] }) });
    definePipe({
      valves: z.object({ prefix: z.string().default("x-") }),
      pipes: (ctx) => {
        expectTypeOf(ctx.valves.prefix).toEqualTypeOf<string>();
        expectTypeOf(ctx.user).toEqualTypeOf<import("./plugin-context.ts").PluginUser<Record<never, never>> | null>();
        return [{ id: "one", name: ctx.valves.prefix + "one" }];
      },
      async *pipe(body, ctx) {
        expectTypeOf(ctx.metadata.subModel).toEqualTypeOf<string | undefined>();
        yield "a";
        yield { choices: [{ index: 0, delta: { content: "b" } }] };
      },
    });
    // @ts-expect-error a pipe cannot return a number
    definePipe({ pipe: () => 42 });
  });
});
