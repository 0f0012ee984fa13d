import { describe, expect, it } from "vitest";
import { SluiceError, toSluiceError } from "./errors.ts";

describe("toSluiceError", () => {
  it("keeps a SluiceError as it is", () => {
    const error = new SluiceError("NOT_FOUND", "No such chat");
    expect(toSluiceError(error, { code: "PLUGIN_ERROR" })).toBe(error);
  });

  it("gives other errors the fallback's code, plugin and hook, with their message and the cause", () => {
    const thrown = new TypeError("x is not a function");
    const error = toSluiceError(thrown, { code: "PLUGIN_ERROR", pluginId: "summariser", hook: "inlet" });
    expect(error).toMatchObject({ code: "PLUGIN_ERROR", message: "x is not a function", pluginId: "summariser", hook: "inlet" });
    expect(error.cause).toBe(thrown);
    expect(toSluiceError("just text")).toMatchObject({ code: "INTERNAL", message: "just text" });
  });

  it("keeps the code of an error sent over as data when it is a known code, not otherwise", () => {
    expect(
      toSluiceError({ code: "PERMISSION_DENIED", message: "Admins only", hook: "action" }, { code: "PLUGIN_ERROR", pluginId: "p" }),
    ).toMatchObject({
      code: "PERMISSION_DENIED",
      message: "Admins only",
      pluginId: "p",
      hook: "action",
    });
    expect(toSluiceError({ code: "EPERM", message: "nope" }, { code: "PLUGIN_ERROR" })).toMatchObject({
      code: "PLUGIN_ERROR",
      message: "nope",
    });
    // A thrown Error's own `code` (Node's system errors) is not one of ours.
    expect(toSluiceError(Object.assign(new Error("denied"), { code: "FORBIDDEN" }), { code: "PLUGIN_ERROR" }).code).toBe("PLUGIN_ERROR");
  });

  it("replaces the message when the fallback gives one, so nothing internal leaks", () => {
    expect(toSluiceError(new Error("password=hunter2 at db.ts:12"), { message: "Internal server error" })).toMatchObject({
      code: "INTERNAL",
      message: "Internal server error",
    });
  });
});
