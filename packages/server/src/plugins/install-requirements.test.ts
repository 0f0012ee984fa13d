import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { installRequirements, requirementsKey } from "./install-requirements.ts";
import { loadPlugin, type LoadedPlugin } from "./load-plugin.ts";

// These tests install a small real package (ms) from the npm registry.

const cacheDir = mkdtempSync(path.join(tmpdir(), "sluice-deps-"));
const logger = pino({ level: "silent" });
const loadedPlugins: LoadedPlugin[] = [];
afterAll(() => {
  for (const loaded of loadedPlugins) loaded.sandbox.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

const plugin = `/**
 * title: Durations
 * requirements: ms@2.1.3
 */
import { defineFilter } from "@sluice/sdk";
import ms from "ms";
export default defineFilter({ inlet: (body) => ({ ...body, timeout: ms("2 days"), label: ms(90_000, { long: true }) }) });
`;

describe("npm requirements", { timeout: 120_000 }, () => {
  it("installs them once into a folder keyed by the spec list, bundles them, and runs them in the sandbox", async () => {
    const loaded = await loadPlugin(plugin, { pluginId: "durations", logger, requirements: { cacheDir } });
    loadedPlugins.push(loaded);
    const context = { id: "durations", user: { id: "u", name: "U", email: "u@example.com", role: "user" }, valves: {}, userValves: {}, metadata: {}, canCall: false };
    expect(await loaded.sandbox.invoke({ hook: "inlet", payload: {}, context })).toEqual({ ok: true, value: { timeout: 172_800_000, label: "2 minutes" } });
    const folder = path.join(cacheDir, requirementsKey([{ spec: "ms@2.1.3", name: "ms" }]));
    expect(existsSync(path.join(folder, "node_modules", "ms", "package.json"))).toBe(true);

    // Reused without npm (as after a restart): an npm that cannot run would fail otherwise.
    const again = await loadPlugin(plugin, { pluginId: "durations", logger, requirements: { cacheDir, npmCommand: "/nonexistent/npm" } });
    loadedPlugins.push(again);
    expect(readdirSync(cacheDir)).toEqual([path.basename(folder)]);
  });

  it("gives npm's reason for a package that does not exist", async () => {
    await expect(
      installRequirements([{ spec: "sluice-no-such-package-4f9a2c7e", name: "sluice-no-such-package-4f9a2c7e" }], { cacheDir }),
    ).rejects.toMatchObject({ code: "PLUGIN_LOAD_FAILED", message: expect.stringMatching(/^Could not install the requirements \(sluice-no-such-package-4f9a2c7e\): .*(E404|404|not in this registry)/) });
    await expect(installRequirements([{ spec: "ms@99.99.99", name: "ms" }], { cacheDir })).rejects.toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringMatching(/ETARGET|No matching version/),
    });
    expect(readdirSync(cacheDir).some((name) => name.includes("staging"))).toBe(false);
  });

  it("says so, within a bounded time, when the registry cannot be reached", async () => {
    const started = performance.now();
    await expect(
      installRequirements([{ spec: "ms@2.1.2", name: "ms" }], { cacheDir, environment: { npm_config_registry: "http://127.0.0.1:9/" } }),
    ).rejects.toMatchObject({ code: "UPSTREAM_ERROR", message: expect.stringMatching(/^Could not reach the npm registry to install the requirements \(ms@2.1.2\): .*ECONNREFUSED/) });
    expect(performance.now() - started).toBeLessThan(60_000);
    await expect(
      installRequirements([{ spec: "ms@2.1.1", name: "ms" }], { cacheDir, timeoutMs: 1, environment: { npm_config_registry: "http://127.0.0.1:9/" } }),
    ).rejects.toMatchObject({ code: "UPSTREAM_ERROR", message: expect.stringMatching(/took longer than/) });
  });

  it("refuses requirements when the server has no folder for them", async () => {
    await expect(loadPlugin(plugin, { pluginId: "durations", logger })).rejects.toMatchObject({ code: "PLUGIN_LOAD_FAILED", message: expect.stringMatching(/no folder for npm requirements/) });
  });
});
