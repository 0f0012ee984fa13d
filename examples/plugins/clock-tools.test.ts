import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestHarness } from "@sluice/sdk/testing";
import clock from "./clock-tools.ts";

describe("clock-tools", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse("2026-03-01T12:30:00Z"), toFake: ["Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("tells the time in the zone the model asks for", async () => {
    const harness = createTestHarness(clock);
    expect(await harness.tool("current_time", { timeZone: "Asia/Tokyo" })).toEqual({
      timeZone: "Asia/Tokyo",
      date: "2026-03-01",
      weekday: "Sunday",
      time: "21:30",
      utcOffset: "GMT+9",
    });
  });

  it("falls back to the user's zone, then the admin's default", async () => {
    const harness = createTestHarness(clock, { valves: { defaultTimeZone: "Europe/Paris" } });
    expect(await harness.tool("current_time", {})).toMatchObject({ timeZone: "Europe/Paris", time: "13:30", utcOffset: "GMT+1" });
    expect(await harness.tool("current_time", {}, { userValves: { timeZone: "America/New_York" } })).toMatchObject({
      timeZone: "America/New_York",
      time: "07:30",
    });
  });

  it("answers an unknown zone with an error result", async () => {
    const harness = createTestHarness(clock);
    expect(await harness.tool("current_time", { timeZone: "Mars/Olympus" })).toEqual({
      error: 'Unknown time zone "Mars/Olympus"; use an IANA name such as Europe/Berlin',
    });
  });

  it("counts days between dates, and validates the date format", async () => {
    const harness = createTestHarness(clock);
    expect(await harness.tool("days_between", { from: "2026-01-01", to: "2026-03-01" })).toEqual({
      from: "2026-01-01",
      to: "2026-03-01",
      days: 59,
    });
    expect(await harness.tool("days_between", { from: "2026-03-01", to: "2025-03-01" })).toMatchObject({ days: -365 });
    await expect(harness.tool("days_between", { from: "1 March", to: "2026-03-01" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("from:"),
    });
  });
});
