import { describe, expect, it } from "vitest";
import { z } from "zod";
import { resolveValves } from "./resolve-valves.ts";

describe("resolveValves", () => {
  const schema = z.object({ tags: z.array(z.string()).default(["a"]), limit: z.number().default(3) });

  it("returns deeply frozen effective values, the same object for the same stored values", () => {
    const first = resolveValves(schema, { limit: 5 }, "valves");
    expect(first).toEqual({ tags: ["a"], limit: 5 });
    expect(Object.isFrozen(first) && Object.isFrozen(first.tags)).toBe(true);
    expect(resolveValves(schema, { limit: 5 }, "valves")).toBe(first);
    expect(resolveValves(schema, { limit: 6 }, "valves")).not.toBe(first);
  });

  it("gives {} without a schema and throws VALVES_INVALID for stored values the schema rejects", () => {
    expect(resolveValves(null, { a: 1 }, "userValves")).toEqual({});
    expect(() => resolveValves(schema, { limit: "many" }, "userValves")).toThrow(
      expect.objectContaining({
        code: "VALVES_INVALID",
        message: "The stored user valves are invalid: limit: Invalid input: expected number, received string",
      }),
    );
  });
});
