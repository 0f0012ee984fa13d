import { afterEach, describe, expect, it } from "vitest";
import { describePlugin, invokeHook, registerPlugin, validateValves } from "./index.ts";
import type { SluiceHost } from "./types.ts";

// The module function the sandbox builds from a compiled plugin (CommonJS body).
const turnLimitModule = (module: { exports: unknown }, _exports: unknown, require: (name: string) => any) => {
  const { defineFilter, z } = require("@sluice/sdk");
  module.exports = {
    __esModule: true,
    default: defineFilter({
      valves: require("zod").z.object({ maxTurns: z.number().int().min(1).default(8) }),
      inlet: (body: { messages: unknown[] }, ctx: { valves: { maxTurns: number } }) => ({ ...body, limit: ctx.valves.maxTurns }),
    }),
  };
};

afterEach(() => {
  delete (globalThis as { __sluice_host?: SluiceHost }).__sluice_host;
});

describe("the runtime entry points", () => {
  it("registers a plugin through require of @sluice/sdk and zod, then describes and validates it", () => {
    const descriptor = registerPlugin(turnLimitModule);
    expect(descriptor).toMatchObject({ kind: "filter", hooks: ["inlet"] });
    expect(describePlugin()).toEqual(descriptor);
    expect(validateValves("valves", { maxTurns: 2 })).toEqual({ ok: true, stored: { maxTurns: 2 }, effective: { maxTurns: 2 } });
    expect(validateValves("userValves", {})).toEqual({ ok: false, issues: [{ path: "", message: "This plugin has no user valves" }] });
  });

  it("invokes hooks with the host from globalThis.__sluice_host", async () => {
    registerPlugin(turnLimitModule);
    const request = {
      invocationId: "i",
      hook: "inlet" as const,
      payload: { model: "m", messages: [] },
      context: {
        id: "p",
        user: { id: "u", name: "U", email: "u@x", role: "user" },
        valves: { maxTurns: 3 },
        userValves: {},
        metadata: {},
        canCall: false,
      },
    };
    expect(await invokeHook(request)).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
    (globalThis as { __sluice_host?: unknown }).__sluice_host = { log: () => {} };
    expect(await invokeHook(request)).toEqual({ ok: true, value: { model: "m", messages: [], limit: 3 } });
  });

  it("explains what a plugin may not require and what it threw while loading", () => {
    expect(() => registerPlugin((_module, _exports, require) => require("node:fs"))).toThrow(
      'The plugin threw while loading: Cannot require "node:fs" inside the sandbox: list npm packages under "requirements"',
    );
    expect(() => registerPlugin((_module, _exports, require) => require("@sluice/sdk/testing"))).toThrow(
      '"@sluice/sdk/testing" is not available inside the sandbox',
    );
    expect(() => registerPlugin("code" as never)).toThrow("registerPlugin expects the plugin's module function");
  });
});
