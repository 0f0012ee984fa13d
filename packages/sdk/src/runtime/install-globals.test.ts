import { afterEach, describe, expect, it, vi } from "vitest";
import { installGlobals } from "./install-globals.ts";
import type { HostResult, SluiceHost } from "./types.ts";

type Globals = Record<string, any>;

function manualHost() {
  const sleeps: Array<{ milliseconds: number; wake: (result: HostResult<null>) => void }> = [];
  const logs: Array<[string | null, string, string]> = [];
  const host: SluiceHost = {
    emit: async () => ({ ok: true, value: null }),
    call: async () => ({ ok: true, value: null }),
    fetch: async () => ({ ok: false, error: { code: "PERMISSION_DENIED", message: "no" } }),
    serve: async () => ({ ok: false, error: { code: "INVALID_INPUT", message: "Unknown host method" } }),
    fetchRead: async () => ({ ok: true, value: null }),
    fetchClose: () => {},
    log: (invocationId, level, message) => logs.push([invocationId, level, message]),
    sleep: (milliseconds) => new Promise((wake) => sleeps.push({ milliseconds, wake })),
    randomBytes: (length) => Array.from({ length }, (_, index) => (index * 37 + 11) % 256),
    parseUrl: () => ({ ok: false, error: { code: "INVALID_INPUT", message: "Invalid URL" } }),
  };
  const wakeAll = async () => {
    for (const sleep of sleeps.splice(0)) sleep.wake({ ok: true, value: null });
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { host, sleeps, logs, wakeAll };
}

describe("installGlobals", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("routes console to host.log with levels and formatted values", () => {
    const { host, logs } = manualHost();
    const target: Globals = {};
    installGlobals(host, target);
    target.console.log("a", 1, { b: [2] });
    target.console.warn("careful");
    target.console.debug(undefined);
    target.console.assert(false, "broken");
    target.console.assert(true, "fine");
    expect(logs).toEqual([
      [null, "info", 'a 1 {"b":[2]}'],
      [null, "warn", "careful"],
      [null, "debug", "undefined"],
      [null, "error", "Assertion failed: broken"],
    ]);
  });

  it("fires setTimeout after host.sleep with its arguments, and clearTimeout cancels", async () => {
    const { host, sleeps, wakeAll } = manualHost();
    const target: Globals = {};
    installGlobals(host, target);
    const fired: unknown[] = [];
    target.setTimeout((value: unknown) => fired.push(value), 25, "first");
    const cancelled = target.setTimeout(() => fired.push("cancelled"), 5);
    target.clearTimeout(cancelled);
    // Each asks until its timer is due (the isolate's clock may have moved on by a millisecond).
    expect(sleeps.map((sleep) => Math.round(sleep.milliseconds / 5) * 5)).toEqual([25, 5]);
    expect(fired).toEqual([]);
    await wakeAll();
    expect(fired).toEqual(["first"]);
  });

  it("repeats setInterval until clearInterval, and logs a throwing callback instead of failing", async () => {
    const { host, logs, wakeAll } = manualHost();
    const target: Globals = {};
    installGlobals(host, target);
    let count = 0;
    const id = target.setInterval(() => {
      count++;
      if (count === 2) throw new Error("tick failed");
    }, 10);
    await wakeAll();
    await wakeAll();
    target.clearInterval(id);
    await wakeAll();
    expect(count).toBe(2);
    expect(logs[0]?.[2]).toMatch(/^Uncaught error in a timer callback: Error: tick failed/);
    expect(() => target.setTimeout("code", 1)).toThrow(TypeError);
  });

  it("asks the host for one sleep until the earliest timer, and fires every timer due by its end in order", async () => {
    // The isolate's clock stands still: timers set "at once" are due at the same moment.
    vi.spyOn(Date, "now").mockReturnValue(1_000_000);
    const { host, sleeps, wakeAll } = manualHost();
    const target: Globals = {};
    installGlobals(host, target);
    const fired: string[] = [];
    target.setTimeout(() => fired.push("b"), 4_000);
    // Due later than the sleep already asked for: no sleep of its own yet.
    for (const name of ["c", "d", "e"]) target.setTimeout(() => fired.push(name), 6_000);
    expect(sleeps.map((sleep) => sleep.milliseconds)).toEqual([4_000]);
    // Due earlier: the host is asked for a shorter sleep.
    target.setTimeout(() => fired.push("a"), 1_000);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!.milliseconds).toBe(1_000);
    // The sleep until 1 s ends: only "a" is due; the sleep until 40 is still asked for.
    sleeps.splice(1, 1)[0]!.wake({ ok: true, value: null });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toEqual(["a"]);
    expect(sleeps).toHaveLength(1);
    // The sleep until 4 s ends: "b" fires, then one sleep is asked for the three timers due at 6 s.
    await wakeAll();
    expect(fired).toEqual(["a", "b"]);
    expect(sleeps).toHaveLength(1);
    await wakeAll();
    expect(fired).toEqual(["a", "b", "c", "d", "e"]);
    expect(sleeps).toHaveLength(0);
  });

  it("fires a timer set by a timer callback on the next sleep, not in the same turn", async () => {
    const { host, sleeps, wakeAll } = manualHost();
    const target: Globals = {};
    installGlobals(host, target);
    let count = 0;
    const again = () => {
      count++;
      target.setTimeout(again, 0);
    };
    target.setTimeout(again, 0);
    await wakeAll();
    expect(count).toBe(1);
    expect(sleeps).toHaveLength(1);
    await wakeAll();
    expect(count).toBe(2);
  });

  it("does not fire a timer cleared by one that fired before it in the same turn", async () => {
    const { host, wakeAll } = manualHost();
    const target: Globals = {};
    installGlobals(host, target);
    const fired: string[] = [];
    let second = 0;
    target.setTimeout(() => {
      fired.push("first");
      target.clearTimeout(second);
    }, 5);
    second = target.setTimeout(() => fired.push("second"), 5);
    await wakeAll();
    await wakeAll();
    expect(fired).toEqual(["first"]);
  });

  it("asks no sleep again at once when the host refuses one; the next timer set asks", async () => {
    const { host, sleeps, wakeAll } = manualHost();
    const target: Globals = {};
    installGlobals(host, target);
    const fired: string[] = [];
    target.setTimeout(() => fired.push("refused"), 5);
    sleeps.shift()!.wake({ ok: false, error: { code: "PLUGIN_ERROR", message: "Too many pending timers" } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sleeps).toHaveLength(0);
    target.setTimeout(() => fired.push("next"), 5);
    expect(sleeps).toHaveLength(1);
    // The earlier timer's sleep, then (if the isolate's clock has moved on meanwhile) one for the later.
    await wakeAll();
    await wakeAll();
    expect(fired).toEqual(["refused", "next"]);
  });

  it("provides crypto.getRandomValues and a version 4 randomUUID over host.randomBytes", () => {
    const { host } = manualHost();
    const target: Globals = {};
    installGlobals(host, target);
    expect([...target.crypto.getRandomValues(new Uint8Array(3))]).toEqual([11, 48, 85]);
    const words = target.crypto.getRandomValues(new Uint16Array(1));
    expect(words[0]).toBe(11 + 48 * 256);
    expect(target.crypto.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() => target.crypto.getRandomValues(new Float64Array(1))).toThrow(TypeError);
    expect(() => target.crypto.getRandomValues(new Uint8Array(65_537))).toThrow(RangeError);
  });

  it("adds queueMicrotask only when missing", async () => {
    const { host } = manualHost();
    const bare: Globals = {};
    installGlobals(host, bare);
    const order: string[] = [];
    bare.queueMicrotask(() => order.push("micro"));
    order.push("sync");
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(["sync", "micro"]);
    const existing = () => {};
    const withOne: Globals = { queueMicrotask: existing };
    installGlobals(host, withOne);
    expect(withOne.queueMicrotask).toBe(existing);
  });
});
