import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { defineMethod, PluginApi, type PluginApiScope } from "./plugin-api.ts";
import { storageMethods } from "./storage-methods.ts";
import type { PluginStorage } from "./plugin-storage.ts";

const scope: PluginApiScope = { namespace: "function", pluginId: "counter", userId: "u1" };

describe("PluginApi: the table of host methods", () => {
  const api = new PluginApi({
    "echo.twice": defineMethod(z.tuple([z.string(), z.number().int().optional()]), async (callScope, [text, times]) => ({
      plugin: callScope.pluginId,
      text: text.repeat(times ?? 2),
    })),
  });

  it("runs a method with its parsed arguments and the caller's scope", async () => {
    expect(await api.serve(scope, "echo.twice", ["ab"])).toEqual({ plugin: "counter", text: "abab" });
    expect(await api.serve(scope, "echo.twice", ["ab", 3])).toEqual({ plugin: "counter", text: "ababab" });
  });

  it("refuses an unknown method with INVALID_INPUT naming what it offers, inherited names included", async () => {
    for (const method of ["echo.thrice", "constructor", "__proto__", "toString"]) {
      const error = await api.serve(scope, method, []).catch((caught: unknown) => caught);
      expect(SluiceError.isInstance(error), method).toBe(true);
      expect(error).toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("it offers echo.twice") });
    }
  });

  it("refuses bad arguments with INVALID_INPUT naming the method and the argument", async () => {
    await expect(api.serve(scope, "echo.twice", [1])).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/^ctx\.echo\.twice: argument 1: /),
    });
    await expect(api.serve(scope, "echo.twice", ["a", 1.5])).rejects.toMatchObject({
      message: expect.stringMatching(/^ctx\.echo\.twice: argument 2: /),
    });
  });
});

describe("storageMethods", () => {
  const calls: unknown[] = [];
  const storage = new Proxy({} as PluginStorage, {
    get:
      (_target, name) =>
      async (...args: unknown[]) => {
        calls.push([name, ...args]);
        return null;
      },
  });
  const api = new PluginApi(storageMethods(storage));

  it("offers get, set, delete and list for the plugin's space and the user's", () => {
    expect(api.methodNames).toEqual([
      "storage.delete",
      "storage.get",
      "storage.list",
      "storage.set",
      "storage.user.delete",
      "storage.user.get",
      "storage.user.list",
      "storage.user.set",
    ]);
  });

  it("keeps the plugin's space, each user's, and a tool's apart", async () => {
    calls.length = 0;
    await api.serve(scope, "storage.get", ["k"]);
    await api.serve(scope, "storage.user.set", ["k", { v: 1 }, { ttlSeconds: 5 }]);
    await api.serve({ ...scope, namespace: "tool" }, "storage.list", []);
    expect(calls).toEqual([
      ["get", { namespace: "function", pluginId: "counter", userId: "" }, "k"],
      ["set", { namespace: "function", pluginId: "counter", userId: "u1" }, "k", { v: 1 }, { ttlSeconds: 5 }],
      ["list", { namespace: "tool", pluginId: "counter", userId: "" }, ""],
    ]);
  });

  it("fails ctx.storage.user clearly for a call without a user, and checks keys are strings", async () => {
    await expect(api.serve({ ...scope, userId: null }, "storage.user.get", ["k"])).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("ctx.storage.user needs the user"),
    });
    expect(await api.serve({ ...scope, userId: null }, "storage.get", ["k"])).toBeNull();
    await expect(api.serve(scope, "storage.get", [42])).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});
