import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkValves } from "./check-valves.ts";

const schema = z.object({
  priority: z.number().default(0),
  maxTurns: z.number().int().min(1).default(8),
  model: z.string().optional(),
  retries: z.coerce.number().default(2),
  nested: z.object({ depth: z.number().max(3) }).optional(),
});

describe("checkValves", () => {
  it("stores only the keys provided and applies defaults to the effective values", () => {
    expect(checkValves(schema, { maxTurns: 3 }, "valves")).toEqual({
      ok: true,
      stored: { maxTurns: 3 },
      effective: { priority: 0, maxTurns: 3, retries: 2 },
    });
  });

  it("drops null (use the default) and unknown keys", () => {
    expect(checkValves(schema, { maxTurns: null, priority: 5, stale: "x" }, "valves")).toEqual({
      ok: true,
      stored: { priority: 5 },
      effective: { priority: 5, maxTurns: 8, retries: 2 },
    });
  });

  it("stores coerced values", () => {
    const result = checkValves(schema, { retries: "7" }, "valves");
    expect(result).toMatchObject({ ok: true, stored: { retries: 7 } });
  });

  it("reports invalid fields with their dotted path", () => {
    expect(checkValves(schema, { maxTurns: 0, nested: { depth: 9 } }, "valves")).toEqual({
      ok: false,
      issues: [
        { path: "maxTurns", message: "Too small: expected number to be >=1" },
        { path: "nested.depth", message: "Too big: expected number to be <=3" },
      ],
    });
  });

  it("refuses values that are not an object", () => {
    expect(checkValves(schema, [1], "valves")).toEqual({
      ok: false,
      issues: [{ path: "", message: "Valves must be an object, got an array" }],
    });
    expect(checkValves(schema, "x", "valves")).toEqual({
      ok: false,
      issues: [{ path: "", message: "Valves must be an object, got a string" }],
    });
  });

  it("says when the plugin has no such valves", () => {
    expect(checkValves(null, {}, "valves")).toEqual({ ok: false, issues: [{ path: "", message: "This plugin has no valves" }] });
    expect(checkValves(null, {}, "userValves")).toEqual({ ok: false, issues: [{ path: "", message: "This plugin has no user valves" }] });
  });
});
