import { afterAll, describe, expect, it } from "vitest";
import type { PluginSandbox } from "./plugin-sandbox.ts";
import { sandboxFor, testRequest } from "../sandbox-test-fixtures.ts";

// Security issue, point 4: memory outside the isolate's heap (WebAssembly memories, ICU objects
// behind Intl) counts against the plugin's limit.

const sandboxes: PluginSandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.dispose()));

const HOARDER = `
import { defineFilter } from "@sluice/sdk";
const kept = [];
export default defineFilter({
  inlet(body) {
    if (body.mode === "probe") {
      const format = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });
      return {
        wasm: typeof WebAssembly,
        date: format.format(new Date(Date.UTC(2026, 11, 5))),
        number: new Intl.NumberFormat("de-DE").format(1234.5),
        sameConstructor: format.constructor === Intl.DateTimeFormat,
        isInstance: format instanceof Intl.DateTimeFormat,
        called: Intl.DateTimeFormat("en-GB", { timeZone: "UTC" }).format(0),
        words: [...new Intl.Segmenter("en", { granularity: "word" }).segment("two words")].filter((part) => part.isWordLike).length,
        sorted: ["b", "a", "ä"].sort(new Intl.Collator("de").compare),
        subclass: new (class extends Intl.NumberFormat {})("en").format(1),
        locale: (3).toLocaleString("en-US", { style: "percent" }),
      };
    }
    if (body.mode === "formats") for (let i = 0; i < 50000; i++) kept.push(new Intl.DateTimeFormat("en-US", { dateStyle: "full", timeStyle: "full" }));
    if (body.mode === "segments") { const segmenter = new Intl.Segmenter("en", { granularity: "word" }); for (let i = 0; i < 200000; i++) kept.push(segmenter.segment("hello world")); }
    if (body.mode === "unguarded") { const Original = Object.getPrototypeOf(new Intl.DateTimeFormat()).constructor; for (let i = 0; i < 50000; i++) kept.push(new Original("en-US", { dateStyle: "full", timeStyle: "full" })); }
    return { kept: kept.length };
  },
});
`;

describe("memory outside the heap", () => {
  it("plugins still format dates, numbers and words; WebAssembly is not there", async () => {
    const sandbox = await sandboxFor(HOARDER, {}, sandboxes);
    const result = await sandbox.invoke(testRequest("inlet", { mode: "probe" }));
    expect(result).toEqual({
      ok: true,
      value: {
        wasm: "undefined",
        date: "5 December 2026",
        number: "1.234,5",
        sameConstructor: true,
        isInstance: true,
        called: "01/01/1970",
        words: 2,
        sorted: ["a", "ä", "b"],
        subclass: "1",
        locale: "300%",
      },
    });
  });

  // Without the guard, 50,000 formatters pinned about 1.4 GB beside a heap of a few MB.
  it.each(["formats", "segments", "unguarded"])(
    "hoarding Intl objects (%s) is refused at the memory limit, not gigabytes later",
    async (mode) => {
      const sandbox = await sandboxFor(HOARDER, { memoryLimitMb: 64, timeoutMs: 20_000 }, sandboxes);
      const rssBefore = process.memoryUsage().rss;
      const result = await sandbox.invoke(testRequest("inlet", { mode }));
      expect(result).toMatchObject({
        ok: false,
        error: { pluginId: "test_plugin", hook: "inlet", message: expect.stringMatching(/memory limit/) },
      });
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 1024 * 1024);
    },
  );
});
