import { describe, expect, it } from "vitest";
import { serverProcessCount } from "./server-processes.ts";

const REDIS = { REDIS_URL: "redis://127.0.0.1:6379" };

describe("serverProcessCount", () => {
  it("runs one process per two cores with Redis, one without, and what SLUICE_PROCESSES says", () => {
    expect(serverProcessCount({}, 4)).toBe(1);
    expect(serverProcessCount(REDIS, 4)).toBe(2);
    expect(serverProcessCount(REDIS, 2)).toBe(1);
    expect(serverProcessCount(REDIS, 1)).toBe(1);
    expect(serverProcessCount(REDIS, 3)).toBe(2);
    expect(serverProcessCount(REDIS, 16)).toBe(8);
    expect(serverProcessCount({ ...REDIS, SLUICE_PROCESSES: "2" }, 4)).toBe(2);
    expect(serverProcessCount({ ...REDIS, SLUICE_PROCESSES: "2" }, 2)).toBe(2);
    expect(serverProcessCount({ SLUICE_PROCESSES: "1" }, 4)).toBe(1);
    expect(serverProcessCount({ ...REDIS, SLUICE_PROCESSES: " auto " }, 8)).toBe(4);
  });

  it("refuses a count it cannot run, naming the setting", () => {
    expect(() => serverProcessCount({ SLUICE_PROCESSES: "auto" }, 4)).toThrow(
      /SLUICE_PROCESSES=auto runs 2 processes, which need REDIS_URL/,
    );
    // Where auto comes to one process, it needs no Redis.
    expect(serverProcessCount({ SLUICE_PROCESSES: "auto" }, 2)).toBe(1);
    expect(() => serverProcessCount({ SLUICE_PROCESSES: "0" }, 2)).toThrow(
      /SLUICE_PROCESSES must be "auto" or a whole number from 1 to 64, got "0"/,
    );
    expect(() => serverProcessCount({ ...REDIS, SLUICE_PROCESSES: "2.5" }, 2)).toThrow(/got "2.5"/);
  });
});
