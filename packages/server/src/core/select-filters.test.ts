import { describe, expect, it } from "vitest";
import { effectivePriority, selectFilters, type FilterCandidate } from "./select-filters.ts";

const filter = (id: string, options: Partial<FilterCandidate> = {}): FilterCandidate => ({
  id,
  isActive: true,
  isGlobal: false,
  isToggle: false,
  priority: 0,
  ...options,
});

describe("selectFilters", () => {
  it("takes active global filters and the model's filters, not others", () => {
    const selected = selectFilters(
      [filter("global", { isGlobal: true }), filter("attached"), filter("elsewhere"), filter("off", { isGlobal: true, isActive: false })],
      ["attached", "off"],
      [],
    );
    expect(selected.map((f) => f.id)).toEqual(["attached", "global"]);
  });

  it("runs toggle filters only when the user switched them on", () => {
    const candidates = [filter("chip", { isToggle: true, isGlobal: true }), filter("always", { isGlobal: true })];
    expect(selectFilters(candidates, [], []).map((f) => f.id)).toEqual(["always"]);
    expect(selectFilters(candidates, [], ["chip"]).map((f) => f.id)).toEqual(["always", "chip"]);
  });

  it("orders by priority, then id", () => {
    const selected = selectFilters(
      [
        filter("b", { isGlobal: true, priority: 1 }),
        filter("c", { isGlobal: true, priority: -5 }),
        filter("a", { isGlobal: true, priority: 1 }),
      ],
      [],
      [],
    );
    expect(selected.map((f) => f.id)).toEqual(["c", "a", "b"]);
  });
});

describe("effectivePriority", () => {
  it("prefers the stored valve, then the schema default, then 0", () => {
    const schema = { properties: { priority: { type: "number", default: 7 } } };
    expect(effectivePriority({ priority: 2 }, schema)).toBe(2);
    expect(effectivePriority({}, schema)).toBe(7);
    expect(effectivePriority({}, null)).toBe(0);
    expect(effectivePriority({ priority: "high" }, { properties: {} })).toBe(0);
  });
});
