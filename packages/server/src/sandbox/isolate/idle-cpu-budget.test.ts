import { afterAll, describe, expect, it } from "vitest";
import type { PluginSandbox } from "./plugin-sandbox.ts";
import { delay, sandboxFor, silentLogger, testRequest } from "../sandbox-test-fixtures.ts";

// Security issue, point 8: timers spin no core between calls.

const sandboxes: PluginSandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.dispose()));

const TICKER = (busyMs: number, everyMs: number) => `
import { defineFilter } from "@sluice/sdk";
let ticks = 0;
setInterval(() => { const end = Date.now() + ${busyMs}; while (Date.now() < end) {} ticks += 1; }, ${everyMs});
export default defineFilter({ inlet: (body) => ({ ...body, ticks }) });
`;

describe("CPU between calls", () => {
  it("an isolate whose timers spin is disposed; the next load works", async () => {
    const warnings: string[] = [];
    const logger = silentLogger.child({});
    logger.warn = ((_fields: unknown, message: string) => void warnings.push(message)) as typeof logger.warn;
    const spinner = await sandboxFor(TICKER(40, 50), { idleCpu: { budgetMs: 300, windowMs: 1000 }, logger }, sandboxes);
    await expect.poll(() => spinner.isBroken, { timeout: 10_000, interval: 100 }).toBe(true);
    expect(warnings).toContain("plugin used too much CPU between calls (timers); disposing its isolate");
    const result = await spinner.invoke(testRequest("inlet", {}));
    expect(result).toMatchObject({ ok: false, error: { code: "PLUGIN_TIMEOUT" } });
  });

  it("a plugin with a light timer keeps its isolate", async () => {
    const light = await sandboxFor(TICKER(0, 50), { idleCpu: { budgetMs: 300, windowMs: 1000 } }, sandboxes);
    await delay(2500);
    expect(light.isBroken).toBe(false);
    const result = await light.invoke(testRequest("inlet", {}));
    expect(result).toMatchObject({ ok: true, value: { ticks: expect.any(Number) } });
    expect((result as { value: { ticks: number } }).value.ticks).toBeGreaterThan(10);
  });

  it("CPU spent in calls does not count", async () => {
    const busy = await sandboxFor(
      `import { defineFilter } from "@sluice/sdk";
       export default defineFilter({ inlet(body) { const end = Date.now() + 150; while (Date.now() < end) {} return body; } });`,
      { idleCpu: { budgetMs: 300, windowMs: 1000 } },
      sandboxes,
    );
    for (let n = 0; n < 12; n++) expect(await busy.invoke(testRequest("inlet", {}))).toMatchObject({ ok: true });
    expect(busy.isBroken).toBe(false);
  });
});
