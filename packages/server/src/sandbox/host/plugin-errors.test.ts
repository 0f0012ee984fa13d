import { describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { runtimeError, stoppedError } from "./plugin-errors.ts";

const details = { pluginId: "turn_limit", hook: "inlet" };

describe("runtimeError", () => {
  it("keeps a code from the closed set, the message, and the plugin's stack as the cause", () => {
    const error = runtimeError({ code: "VALVES_INVALID", message: "maxTurns: too small", stack: "Error: at plugin:3" }, details);
    expect(SluiceError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "VALVES_INVALID", message: "maxTurns: too small", pluginId: "turn_limit", hook: "inlet" });
    expect(error.cause).toEqual({ stack: "Error: at plugin:3" });
  });

  it("turns anything a plugin could forge into PLUGIN_ERROR naming the plugin and hook", () => {
    expect(runtimeError({ code: "ADMIN", message: 42, stack: { not: "a string" } }, details)).toMatchObject({
      code: "PLUGIN_ERROR",
      message: 'Plugin "turn_limit" failed in inlet',
    });
    expect(runtimeError("boom", details)).toMatchObject({ code: "PLUGIN_ERROR", message: 'Plugin "turn_limit" failed in inlet' });
    expect(runtimeError(undefined, details).cause).toBeUndefined();
  });
});

describe("stoppedError", () => {
  it("keeps a SluiceError and names anything else as a stop", () => {
    const timeout = new SluiceError("PLUGIN_TIMEOUT", "late", details);
    expect(stoppedError(details, timeout)).toBe(timeout);
    expect(stoppedError(details, new Error("client went away"))).toMatchObject({
      code: "PLUGIN_ERROR",
      message: 'Plugin "turn_limit" was stopped in inlet: client went away',
    });
  });
});
