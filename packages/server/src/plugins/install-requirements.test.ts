import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    const context = {
      id: "durations",
      user: { id: "u", name: "U", email: "u@example.com", role: "user" },
      valves: {},
      userValves: {},
      metadata: {},
      canCall: false,
    };
    expect(await loaded.sandbox.invoke({ hook: "inlet", payload: {}, context })).toEqual({
      ok: true,
      value: { timeout: 172_800_000, label: "2 minutes" },
    });
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
    ).rejects.toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringMatching(
        /^Could not install the requirements \(sluice-no-such-package-4f9a2c7e\): .*(E404|404|not in this registry)/,
      ),
    });
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
    ).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: expect.stringMatching(/^Could not reach the npm registry to install the requirements \(ms@2.1.2\): .*ECONNREFUSED/),
    });
    expect(performance.now() - started).toBeLessThan(60_000);
    await expect(
      installRequirements([{ spec: "ms@2.1.1", name: "ms" }], {
        cacheDir,
        timeoutMs: 1,
        environment: { npm_config_registry: "http://127.0.0.1:9/" },
      }),
    ).rejects.toMatchObject({ code: "UPSTREAM_ERROR", message: expect.stringMatching(/took longer than/) });
  });

  it("refuses requirements when the server has no folder for them", async () => {
    await expect(loadPlugin(plugin, { pluginId: "durations", logger })).rejects.toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringMatching(/no folder for npm requirements/),
    });
  });
});

// Security issue, point 17: a tool author could run npm for minutes, unbounded in parallel, with a
// cache that only grew. These use a stand-in for npm that logs its runs.
describe("npm requirements: bounds", () => {
  const workDir = mkdtempSync(path.join(tmpdir(), "sluice-fake-npm-"));
  const log = path.join(workDir, "runs.log");
  const fakeNpm = path.join(workDir, "npm");
  writeFileSync(
    fakeNpm,
    `#!/bin/sh
# Logs its start and end, then "installs" every spec as a 1 KiB package.
echo "start $$" >> ${log}
sleep 0.4
while [ "$1" != "--prefix" ]; do shift; done
prefix="$2"; shift 2
for spec in "$@"; do mkdir -p "$prefix/node_modules/$spec"; head -c 1024 /dev/zero > "$prefix/node_modules/$spec/index.js"; done
echo "end $$" >> ${log}
`,
  );
  chmodSync(fakeNpm, 0o755);
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));
  const spec = (name: string) => ({ spec: name, name });

  it("refuses a list longer than the limit without running npm", async () => {
    const many = Array.from({ length: 5 }, (_, index) => spec(`package-${index}`));
    await expect(
      installRequirements(many, { cacheDir: path.join(workDir, "long"), npmCommand: "/nonexistent/npm", maxPackages: 4 }),
    ).rejects.toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: "requirements: 5 packages are listed; the limit is 4",
    });
  });

  it("runs at most `concurrency` installs at once, and refuses past the queue", async () => {
    const options = { cacheDir: path.join(workDir, "queue"), npmCommand: fakeNpm, concurrency: 2, maxQueued: 2 };
    const installs = ["a", "b", "c", "d", "e"].map((name) =>
      installRequirements([spec(name)], options).then(
        () => "installed",
        (error) => error.code,
      ),
    );
    expect(await Promise.all(installs)).toEqual(["installed", "installed", "installed", "installed", "UNAVAILABLE"]);
    let running = 0;
    let most = 0;
    for (const line of readFileSync(log, "utf8").trim().split("\n")) {
      running += line.startsWith("start") ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(2);
  });

  it("keeps the cache under its size by removing the least recently used installs", async () => {
    const cacheDir = path.join(workDir, "cache");
    const options = { cacheDir, npmCommand: fakeNpm, maxCacheBytes: 2600 };
    const first = await installRequirements([spec("first")], options);
    const second = await installRequirements([spec("second")], options);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await installRequirements([spec("first")], options); // used again: now the most recent
    const third = await installRequirements([spec("third")], options);
    expect(existsSync(first)).toBe(true);
    expect(existsSync(second)).toBe(false);
    expect(existsSync(third)).toBe(true);
  });
});
