import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { hashPluginSource } from "./hash-plugin-source.ts";
import { loadPlugin, type LoadedPlugin } from "./load-plugin.ts";
import { PluginRegistry, type PluginRow } from "./plugin-registry.ts";
import { SDK_VERSION } from "./plugin-versions.ts";

// Issue 4, point 7: concurrent calls into one plugin, saving while requests run, and isolates
// that leave nothing behind when replaced.

const logger = pino({ level: "silent" });
const context = {
  id: "f",
  user: { id: "u1", name: "Ada", email: "a@example.com", role: "user" },
  valves: {},
  userValves: {},
  metadata: {},
  canCall: false,
};

const versioned = (version: string) => `import { definePipe, defineFilter } from "@sluice/sdk";
export default defineFilter({
  async inlet(body, ctx) {
    if (body.wait) await ctx.emit({ type: "status", data: { n: body.n } });
    return { ...body, version: ${JSON.stringify(version)} };
  },
  stream(event) { return { ...event, version: ${JSON.stringify(version)} }; },
  outlet(body) { return { ...body, version: ${JSON.stringify(version)} }; },
});`;

function row(version: string): PluginRow {
  const content = versioned(version);
  return { id: "f", content, content_hash: hashPluginSource(content, "", SDK_VERSION) };
}

const delay = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("concurrency and lifecycle", () => {
  let registry: PluginRegistry;
  afterEach(() => registry?.dispose());

  it("serves overlapping calls into one plugin, each with its own result, events and stream session", async () => {
    registry = new PluginRegistry({ logger });
    const { sandbox } = await registry.get("function", row("v1"));
    const events = new Map<number, unknown[]>();
    const calls = Array.from({ length: 50 }, (_, n) => {
      events.set(n, []);
      const emit = async (event: unknown) => {
        events.get(n)!.push(event);
        await delay(n % 7);
      };
      return sandbox.invoke({ hook: n % 2 ? "inlet" : "outlet", payload: { n, wait: n % 3 === 0 }, context }, { emit });
    });
    const sessions = Array.from({ length: 5 }, () => sandbox.openStreamFilter({ context }));
    const streamed = await Promise.all(
      sessions.map(async (session, index) => {
        const out: unknown[] = [];
        for (let chunk = 0; chunk < 20; chunk++) out.push(await session.transform({ index, chunk }));
        session.close();
        return out;
      }),
    );
    const results = await Promise.all(calls);
    results.forEach((result, n) => {
      expect(result).toEqual({ ok: true, value: { n, wait: n % 3 === 0, version: "v1" } });
      expect(events.get(n)).toEqual(n % 2 && n % 3 === 0 ? [{ type: "status", data: { n } }] : []);
    });
    streamed.forEach((out, index) => expect(out).toEqual(Array.from({ length: 20 }, (_, chunk) => ({ index, chunk, version: "v1" }))));
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("runs the chunks of 300 responses at once through one filter, each response's in order, whatever its hook does", async () => {
    registry = new PluginRegistry({ logger });
    const content = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  async inlet(body) { return body; },
  stream(event) {
    if (event.chunk % 5 === 1) return null;
    if (event.chunk % 5 === 2) throw new Error("no chunk " + event.chunk);
    if (event.chunk % 5 === 3) return Promise.resolve({ ...event, late: true });
    if (event.chunk % 5 === 4) { event.seen = true; return undefined; }
    return { ...event, n: event.index * 100 + event.chunk };
  },
});`;
    const { sandbox } = await registry.get("function", { id: "f", content, content_hash: hashPluginSource(content, "", SDK_VERSION) });
    const sessions = Array.from({ length: 300 }, () => sandbox.openStreamFilter({ context }));
    const streamed = await Promise.all(
      sessions.map(async (session, index) => {
        const out: unknown[] = [];
        for (let chunk = 0; chunk < 10; chunk++) {
          const output = await session.transform({ index, chunk });
          out.push(output instanceof Error ? `error: ${output.message}` : output);
        }
        session.close();
        return out;
      }),
    );
    streamed.forEach((out, index) =>
      expect(out).toEqual(
        Array.from(
          { length: 10 },
          (_, chunk) =>
            [
              { index, chunk, n: index * 100 + chunk },
              null,
              expect.stringContaining(`no chunk ${chunk}`),
              { index, chunk, late: true },
              { index, chunk, seen: true },
            ][chunk % 5],
        ),
      ),
    );
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("a request that holds a plugin keeps its code while a save replaces it", async () => {
    registry = new PluginRegistry({ logger });
    const old = await registry.get("function", row("v1"));
    const release = old.sandbox.hold();
    const inlet = await old.sandbox.invoke({ hook: "inlet", payload: {}, context });

    registry.put("function", "f", await loadPlugin(versioned("v2"), { pluginId: "f", logger }));
    const fresh = await registry.get("function", row("v2"));
    expect(fresh).not.toBe(old);
    expect(old.sandbox.isDisposed).toBe(false);

    // The rest of the old request runs on v1, a new request on v2.
    const session = old.sandbox.openStreamFilter({ context });
    expect(await session.transform({})).toEqual({ version: "v1" });
    session.close();
    const outlet = await old.sandbox.invoke({ hook: "outlet", payload: {}, context });
    expect([inlet, outlet]).toEqual([
      { ok: true, value: { version: "v1" } },
      { ok: true, value: { version: "v1" } },
    ]);
    expect(await fresh.sandbox.invoke({ hook: "outlet", payload: {}, context })).toEqual({ ok: true, value: { version: "v2" } });

    release();
    release();
    expect(old.sandbox.isDisposed).toBe(true);
    expect(fresh.sandbox.isDisposed).toBe(false);
  });

  it("loads and replaces a plugin 1,000 times without the process's memory growing", { timeout: 120_000 }, async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    registry = new PluginRegistry({ logger });
    const replace = async (index: number): Promise<LoadedPlugin> => {
      const loaded = await loadPlugin(versioned(`v${index}`), { pluginId: "f", logger });
      registry.put("function", "f", loaded);
      return loaded;
    };
    const measure = () => {
      gc();
      const { rss, heapUsed } = process.memoryUsage();
      return { rss, heapUsed };
    };
    for (let index = 0; index < 100; index++) await replace(index); // warm up: code caches, allocator pools
    const before = measure();
    let last: LoadedPlugin | undefined;
    for (let index = 100; index < 1000; index++) last = await replace(index);
    await delay(50);
    const after = measure();
    expect(await last!.sandbox.invoke({ hook: "outlet", payload: {}, context })).toEqual({ ok: true, value: { version: "v999" } });
    expect(registry.size).toBe(1);
    // 900 more isolates of ~1.4 MB each would be over 1 GB if any stayed.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(96 * 1024 * 1024);
  });
});
