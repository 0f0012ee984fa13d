import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { SluiceError } from "@sluice/sdk";
import { AwaitingApprovalRunner } from "./awaiting-approval-runner.ts";
import { loadPlugin, type LoadedPlugin, type LoadPluginOptions } from "./load-plugin.ts";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-trusted-"));
const logger = pino({ level: "silent" });
const loadedPlugins: LoadedPlugin[] = [];
afterAll(() => {
  for (const loaded of loadedPlugins) loaded.sandbox.dispose();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const context = {
  id: "p",
  user: { id: "u", name: "U", email: "u@example.com", role: "user" },
  valves: {},
  userValves: {},
  metadata: {},
  canCall: false,
};

async function load(source: string, options: Partial<LoadPluginOptions> = {}): Promise<LoadedPlugin> {
  const loaded = await loadPlugin(source, {
    pluginId: "p",
    logger,
    dataDir,
    expectedNamespace: "function",
    requirements: { cacheDir: path.join(dataDir, "plugin-deps") },
    ...options,
  });
  loadedPlugins.push(loaded);
  return loaded;
}

async function refusal(source: string, options: Partial<LoadPluginOptions> = {}): Promise<SluiceError> {
  const error = await load(source, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(SluiceError.isInstance(error)).toBe(true);
  return error as SluiceError;
}

// Module code that would leave a trace if it ever ran.
const TRACING = `/**
 * permissions: node
 */
import fs from "node:fs";
import { defineFilter } from "@sluice/sdk";
fs.writeFileSync("ran.txt", "yes");
export default defineFilter({ inlet: (body) => ({ ...body, ran: fs.readFileSync("ran.txt", "utf8") }) });
`;

describe("loading a permissions: node plugin", () => {
  it("is refused until an admin approved it, whatever the grant, and none of its code runs", async () => {
    for (const grant of ["requested", ["node"]] as const) {
      const error = await refusal(TRACING, { grant });
      expect(error).toMatchObject({
        code: "PERMISSION_DENIED",
        message: expect.stringContaining("/api/v1/functions/id/p/permissions/approve"),
      });
    }
    expect(fs.existsSync(path.join(dataDir, "plugins", "p"))).toBe(false);
  });

  it("gets a placeholder on the save path: kind read from the source, nothing run, every call refused", async () => {
    const loaded = await load(TRACING, { allowPendingApproval: true });
    expect(loaded.sandbox).toBeInstanceOf(AwaitingApprovalRunner);
    expect(loaded.sandbox.isDisposed).toBe(true);
    expect(loaded.descriptor).toMatchObject({ kind: "filter", hooks: [], valvesSchema: null });
    expect(loaded.permissions).toEqual({ requested: ["node"], granted: [] });
    expect(await loaded.sandbox.invoke({ hook: "inlet", payload: {}, context })).toMatchObject({
      ok: false,
      error: { code: "PERMISSION_DENIED" },
    });
    expect(fs.existsSync(path.join(dataDir, "plugins", "p", "ran.txt"))).toBe(false);
  });

  it("on the save path still reports syntax errors, and a kind it cannot read without running the code", async () => {
    expect(await refusal(TRACING.replace("export default", "export default ("), { allowPendingApproval: true })).toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringMatching(/^Syntax error at line \d+/),
    });
    const hidden = `/**\n * permissions: node\n */\nimport * as sdk from "@sluice/sdk";\nexport default sdk["define" + "Filter"]({ inlet: (body) => body });\n`;
    expect(await refusal(hidden, { allowPendingApproval: true })).toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringContaining("defineFilter"),
    });
    expect(await refusal(TRACING.replaceAll("defineFilter", "defineTools"), { allowPendingApproval: true })).toMatchObject({
      message: expect.stringContaining("create it under Tools"),
    });
  });

  it("runs in its own process once approved, with its folder as working directory", async () => {
    const loaded = await load(TRACING, { isNodeGranted: true });
    expect(loaded.permissions).toEqual({ requested: ["node"], granted: ["node"] });
    expect(await loaded.sandbox.invoke({ hook: "inlet", payload: { a: 1 }, context })).toEqual({ ok: true, value: { a: 1, ran: "yes" } });
    expect(fs.readFileSync(path.join(dataDir, "plugins", "p", "ran.txt"), "utf8")).toBe("yes");
  });

  it("refuses a package import that is not among its requirements, naming it", async () => {
    const source = TRACING.replace(
      'import fs from "node:fs";',
      'import fs from "node:fs";\nimport leftPad from "left-pad";\nconsole.log(leftPad);',
    );
    expect(await refusal(source, { isNodeGranted: true })).toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringContaining('Import "left-pad" at line'),
    });
  });

  it("bundles its npm requirements (installed as for the sandbox), which may use Node built-ins", { timeout: 120_000 }, async () => {
    const source = `/**
 * permissions: node
 * requirements: ms@2.1.3
 */
import os from "node:os";
import ms from "ms";
import { defineTools, z } from "@sluice/sdk";
export default defineTools({ tools: { uptime: { description: "Uptime", parameters: z.object({}), execute: () => ms(ms("1 day")) + " / " + typeof os.uptime() } } });
`;
    const loaded = await load(source, { pluginId: "uptime", expectedNamespace: "tool", isNodeGranted: true });
    expect(await loaded.sandbox.invoke({ hook: "tool", toolName: "uptime", payload: {}, context: { ...context, id: "uptime" } })).toEqual({
      ok: true,
      value: "1d / number",
    });
  });
});
