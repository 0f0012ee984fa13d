import { describe, expect, it } from "vitest";
import { dateGroupLabel, groupByDate } from "./date-groups.ts";

describe("date groups", () => {
  const now = new Date(2026, 11, 5, 10, 0, 0);
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

  it("labels by calendar day, then by month", () => {
    expect(dateGroupLabel(seconds(new Date(2026, 11, 5, 0, 1)), now)).toBe("Today");
    expect(dateGroupLabel(seconds(new Date(2026, 11, 4, 23, 59)), now)).toBe("Yesterday");
    expect(dateGroupLabel(seconds(new Date(2026, 11, 1)), now)).toBe("Previous 7 days");
    expect(dateGroupLabel(seconds(new Date(2026, 10, 10)), now)).toBe("Previous 30 days");
    expect(dateGroupLabel(seconds(new Date(2026, 8, 10)), now)).toBe("September");
    expect(dateGroupLabel(seconds(new Date(2025, 11, 10)), now)).toBe("December 2025");
  });

  it("names months in the interface's language", () => {
    expect(dateGroupLabel(seconds(new Date(2026, 8, 10)), now, "de")).toBe("September");
    expect(dateGroupLabel(seconds(new Date(2025, 11, 10)), now, "fr")).toBe("décembre 2025");
    expect(dateGroupLabel(seconds(new Date(2026, 0, 10)), now, "es")).toBe("enero");
  });

  it("groups consecutive items under one heading", () => {
    const items = [new Date(2026, 11, 5, 9), new Date(2026, 11, 5, 8), new Date(2026, 11, 2)].map((date) => ({
      updated_at: seconds(date),
    }));
    expect(groupByDate(items, now).map((group) => [group.label, group.items.length])).toEqual([
      ["Today", 2],
      ["Previous 7 days", 1],
    ]);
  });
});
