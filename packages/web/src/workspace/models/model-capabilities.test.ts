import { describe, expect, it } from "vitest";
import { capabilitiesWithVision, isVisionCapable, notVisionCapableMessage } from "./model-capabilities.ts";

describe("isVisionCapable", () => {
  it("is true when the model has no row, no capabilities or no vision entry", () => {
    expect(isVisionCapable(undefined)).toBe(true);
    expect(isVisionCapable({})).toBe(true);
    expect(isVisionCapable({ capabilities: { citations: false } })).toBe(true);
    expect(isVisionCapable({ capabilities: { vision: null } })).toBe(true);
    expect(isVisionCapable({ capabilities: "vision" })).toBe(true);
  });

  it("follows the stored vision flag", () => {
    expect(isVisionCapable({ capabilities: { vision: true } })).toBe(true);
    expect(isVisionCapable({ capabilities: { vision: false } })).toBe(false);
  });
});

describe("capabilitiesWithVision", () => {
  it("sets vision and keeps the other capabilities", () => {
    expect(capabilitiesWithVision({ capabilities: { citations: true, vision: true } }, false)).toEqual({ citations: true, vision: false });
    expect(capabilitiesWithVision(undefined, true)).toEqual({ vision: true });
    expect(capabilitiesWithVision({ capabilities: ["vision"] }, false)).toEqual({ vision: false });
  });
});

describe("notVisionCapableMessage", () => {
  it("names the model, by id when it has no name", () => {
    expect(notVisionCapableMessage({ id: "text-only", name: "Text only" })).toBe("Model Text only is not vision capable");
    expect(notVisionCapableMessage({ id: "text-only", name: "" })).toBe("Model text-only is not vision capable");
  });
});
