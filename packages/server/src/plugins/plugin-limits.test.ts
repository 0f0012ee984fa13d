import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { hashPluginSource } from "./hash-plugin-source.ts";
import { limitsKey, pluginLimitsSchema, storedLimits } from "./plugin-limits.ts";
import { PluginRegistry, type PluginRow } from "./plugin-registry.ts";
import { SDK_VERSION } from "./plugin-versions.ts";

const logger = pino({ level: "silent" });
const source = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({ inlet(body) { if (body.mode === "loop") while (true) {} return body; } });`;
const context = {
  id: "f",
  user: { id: "u1", name: "Ada", email: "a@example.com", role: "user" },
  valves: {},
  userValves: {},
  metadata: {},
  canCall: false,
};

function row(meta: Record<string, unknown> = {}): PluginRow {
  return { id: "f", content: source, content_hash: hashPluginSource(source, "", SDK_VERSION), meta };
}

describe("per-plugin limits (meta.limits)", () => {
  let registry: PluginRegistry;
  afterEach(() => registry?.dispose());

  it("reads only a valid override", () => {
    expect(storedLimits({ limits: { timeoutMs: 200, memoryMb: 64 } })).toEqual({ timeoutMs: 200, memoryMb: 64 });
    expect(storedLimits({ limits: { timeoutMs: -1 } })).toEqual({});
    expect(storedLimits({ limits: "fast" })).toEqual({});
    expect(storedLimits(null)).toEqual({});
    expect(pluginLimitsSchema.safeParse({ memoryMb: 100_000 }).success).toBe(false);
    expect(pluginLimitsSchema.safeParse({ unknown: 1 }).success).toBe(false);
    expect(limitsKey({ streamTimeoutMs: 50 })).toBe("/50/");
  });

  it("loads a plugin with its row's override, again when the override changes, and after it broke", async () => {
    registry = new PluginRegistry({ logger, timeoutMs: 5000 });
    const fast = await registry.get("function", row({ limits: { timeoutMs: 150, streamTimeoutMs: 20, memoryMb: 32 } }));
    expect(fast.limits).toEqual({ timeoutMs: 150, streamTimeoutMs: 20, memoryMb: 32 });
    expect(fast.sandbox).toMatchObject({ timeoutMs: 150, streamTimeoutMs: 20, memoryLimitMb: 32 });
    const started = performance.now();
    expect(await fast.sandbox.invoke({ hook: "inlet", payload: { mode: "loop" }, context })).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", message: 'Plugin "f" timed out in inlet after 150 ms' },
    });
    expect(performance.now() - started).toBeLessThan(2000);
    const reloaded = await registry.get("function", row({ limits: { timeoutMs: 150, streamTimeoutMs: 20, memoryMb: 32 } }));
    expect(reloaded).not.toBe(fast);
    expect(await reloaded.sandbox.invoke({ hook: "inlet", payload: {}, context })).toEqual({ ok: true, value: {} });
    const defaults = await registry.get("function", row());
    expect(defaults).not.toBe(reloaded);
    expect(defaults.sandbox).toMatchObject({ timeoutMs: 5000, memoryLimitMb: 128 });
  });
});
