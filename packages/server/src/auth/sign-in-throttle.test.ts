import { describe, expect, it } from "vitest";
import { SignInThrottle } from "./sign-in-throttle.ts";

describe("SignInThrottle", () => {
  it("lets a few failures through, then doubles the wait, and forgets after a success", () => {
    let now = 1_000_000;
    const throttle = new SignInThrottle({ freeFailures: 3, now: () => now });
    for (let n = 0; n < 2; n++) throttle.failed("ada@example.com", "10.0.0.1");
    expect(throttle.waitSeconds("ada@example.com", "10.0.0.1")).toBe(0);
    throttle.failed("ada@example.com", "10.0.0.1");
    expect(throttle.waitSeconds("ada@example.com", "10.0.0.1")).toBe(1);
    // The account is slowed from any address; other accounts from this address are not yet.
    expect(throttle.waitSeconds("ada@example.com", "10.0.0.2")).toBe(1);
    expect(throttle.waitSeconds("bob@example.com", "10.0.0.1")).toBe(0);
    now += 1000;
    throttle.failed("ada@example.com", "10.0.0.1");
    expect(throttle.waitSeconds("ada@example.com", "10.0.0.1")).toBe(2);
    now += 2000;
    throttle.succeeded("ada@example.com");
    expect(throttle.waitSeconds("ada@example.com", "10.0.0.2")).toBe(0);
  });

  it("slows an address that tries many accounts", () => {
    const throttle = new SignInThrottle({ freeFailures: 2, now: () => 5_000 });
    for (let n = 0; n < 8; n++) throttle.failed(`user${n}@example.com`, "10.0.0.9");
    expect(throttle.waitSeconds("someone-else@example.com", "10.0.0.9")).toBe(1);
    expect(throttle.waitSeconds("someone-else@example.com", "10.0.0.8")).toBe(0);
  });
});
