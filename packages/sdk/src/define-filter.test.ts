import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { ChatBody } from "./chat-body.ts";
import { defineFilter } from "./define-filter.ts";
import type { PluginContext } from "./plugin-context.ts";

describe("defineFilter", () => {
  it("returns a frozen object of kind filter keeping hooks and options", () => {
    const inlet = (body: ChatBody) => body;
    const plugin = defineFilter({ toggle: true, icon: "data:image/svg+xml;base64,AA==", inlet });
    expect(plugin).toMatchObject({ kind: "filter", toggle: true, icon: "data:image/svg+xml;base64,AA==" });
    expect(plugin.inlet).toBe(inlet);
    expect(Object.isFrozen(plugin)).toBe(true);
  });

  it("cannot be given another kind by the definition", () => {
    const plugin = defineFilter({ kind: "pipe", inlet: (body: ChatBody) => body } as never);
    expect((plugin as { kind: string }).kind).toBe("filter");
  });

  it("types ctx.valves and ctx.user.valves from the schemas", () => {
    defineFilter({
      valves: z.object({ priority: z.number().default(0), maxTurns: z.number().int().default(8) }),
      userValves: z.object({ maxTurns: z.number().int().default(4) }),
      inlet(body, ctx) {
        expectTypeOf(ctx.valves).toEqualTypeOf<Readonly<{ priority: number; maxTurns: number }>>();
        expectTypeOf(ctx.user.valves.maxTurns).toEqualTypeOf<number>();
        // @ts-expect-error valves are frozen
        ctx.valves.maxTurns = 1;
        // @ts-expect-error not a valve
        void ctx.valves.missing;
        return body;
      },
      stream(event) {
        return event.choices.length === 0 ? null : event;
      },
    });
  });

  it("gives a plugin without valves an empty valves type", () => {
    defineFilter({
      outlet(body, ctx) {
        // @ts-expect-error no valves declared
        void ctx.valves.anything;
        return body;
      },
    });
  });

  it("types emit by event type and allows custom events", () => {
    const check = async (ctx: PluginContext) => {
      await ctx.emit({ type: "status", data: { description: "ok", done: true } });
      await ctx.emit({ type: "notification", data: { type: "success", content: "Saved" } });
      await ctx.emit({ type: "chat:title", data: "New title" });
      await ctx.emit({ type: "my-plugin:progress", data: { percent: 40 } });
      // @ts-expect-error status needs a description
      await ctx.emit({ type: "status", data: { done: true } });
      // @ts-expect-error notification type is a closed set
      await ctx.emit({ type: "notification", data: { type: "loud", content: "x" } });
      expectTypeOf(await ctx.call({ type: "confirmation", data: { title: "Sure?", message: "Really?" } })).toEqualTypeOf<boolean>();
      expectTypeOf(await ctx.call({ type: "input", data: { title: "Name", message: "Your name?" } })).toEqualTypeOf<string>();
      expectTypeOf(await ctx.call({ type: "custom:ask", data: 1 })).toEqualTypeOf<unknown>();
      // @ts-expect-error a confirmation needs title and message
      await ctx.call({ type: "confirmation", data: { title: "Sure?" } });
    };
    expect(typeof check).toBe("function");
  });
});
