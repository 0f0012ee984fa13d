import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { SluiceError } from "@sluice/sdk";
import { hashPluginSource } from "./hash-plugin-source.ts";
import { loadPlugin } from "./load-plugin.ts";
import { PluginRegistry, type PluginNamespace, type PluginRow } from "./plugin-registry.ts";
import { SDK_VERSION } from "./plugin-versions.ts";

const logger = pino({ level: "silent" });

function filterSource(label: string): string {
  return `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  inlet(body) {
    if (body.mode === "loop") while (true) {}
    return { ...body, label: ${JSON.stringify(label)} };
  },
});
`;
}

function row(id: string, content: string): PluginRow {
  return { id, content, content_hash: hashPluginSource(content, "", SDK_VERSION) };
}

const context = {
  id: "f",
  user: { id: "u1", name: "Ada", email: "a@example.com", role: "user" },
  valves: {},
  userValves: {},
  metadata: {},
  canCall: false,
};

describe("PluginRegistry", () => {
  let registry: PluginRegistry;
  let loads: string[];

  beforeEach(() => {
    loads = [];
    registry = new PluginRegistry({
      logger,
      timeoutMs: 1000, // loading the runtime takes longer on a busy machine
      onLoad: (namespace: PluginNamespace, id: string) => void loads.push(`${namespace}:${id}`),
    });
  });

  afterEach(() => registry.dispose());

  it("reuses the loaded plugin while the row's hash is unchanged", async () => {
    const first = await registry.get("function", row("f", filterSource("v1")));
    const second = await registry.get("function", row("f", filterSource("v1")));
    expect(second).toBe(first);
    expect(second.sandbox).toBe(first.sandbox);
    expect(second.loadedAt).toBe(first.loadedAt);
    expect(loads).toEqual(["function:f"]);
    expect(registry.peek("function", "f")).toBe(first);
  });

  it("shares one load between concurrent requests", async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => registry.get("function", row("f", filterSource("v1")))));
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(loads).toEqual(["function:f"]);
  });

  it("loads again when the hash changes, and disposes the old isolate", async () => {
    const old = await registry.get("function", row("f", filterSource("v1")));
    const updated = await registry.get("function", row("f", filterSource("v2")));
    expect(updated.sandbox).not.toBe(old.sandbox);
    expect(old.sandbox.isDisposed).toBe(true);
    expect(loads).toEqual(["function:f", "function:f"]);
    expect(await updated.sandbox.invoke({ hook: "inlet", payload: {}, context })).toEqual({ ok: true, value: { label: "v2" } });
  });

  it("keeps functions and tools apart", async () => {
    const tools = `import { defineTools, z } from "@sluice/sdk";
export default defineTools({ tools: { ping: { description: "Ping", parameters: z.object({}), execute: () => "pong" } } });`;
    const asFunction = await registry.get("function", row("same_id", filterSource("v1")));
    const asTool = await registry.get("tool", row("same_id", tools));
    expect(asFunction.descriptor.kind).toBe("filter");
    expect(asTool.descriptor.kind).toBe("tools");
    expect(loads).toEqual(["function:same_id", "tool:same_id"]);
  });

  it("checks the kind against the namespace", async () => {
    const error = await registry.get("tool", row("f", filterSource("v1"))).catch((thrown: unknown) => thrown);
    expect(SluiceError.isInstance(error) && error.message).toBe("This is a filter; create it under Functions, not Tools");
    expect(registry.peek("tool", "f")).toBeUndefined();
  });

  it("evict disposes the isolate and the next get loads again", async () => {
    const loaded = await registry.get("function", row("f", filterSource("v1")));
    registry.evict("function", "f");
    expect(loaded.sandbox.isDisposed).toBe(true);
    expect(registry.peek("function", "f")).toBeUndefined();
    await registry.get("function", row("f", filterSource("v1")));
    expect(loads).toEqual(["function:f", "function:f"]);
  });

  it("reloads a plugin whose sandbox broke (timed out)", async () => {
    const loaded = await registry.get("function", row("f", filterSource("v1")));
    const failed = await loaded.sandbox.invoke({ hook: "inlet", payload: { mode: "loop" }, context });
    expect(failed).toMatchObject({ ok: false, error: { code: "PLUGIN_TIMEOUT" } });
    expect(loaded.sandbox.isBroken).toBe(true);

    const reloaded = await registry.get("function", row("f", filterSource("v1")));
    expect(reloaded.sandbox).not.toBe(loaded.sandbox);
    expect(loads).toEqual(["function:f", "function:f"]);
    expect(await reloaded.sandbox.invoke({ hook: "inlet", payload: {}, context })).toEqual({ ok: true, value: { label: "v1" } });
  });

  it("put stores what the save path loaded, and retires the cached one", async () => {
    const cached = await registry.get("function", row("f", filterSource("v1")));
    const saved = await loadPlugin(filterSource("v2"), { pluginId: "f", logger });
    registry.put("function", "f", saved);
    expect(cached.sandbox.isDisposed).toBe(true);
    expect(await registry.get("function", row("f", filterSource("v2")))).toBe(saved);
    expect(loads).toEqual(["function:f"]);
  });

  it("a load superseded by a newer hash does not replace the newer plugin", async () => {
    const older = registry.get("function", row("f", filterSource("v1")));
    const newer = registry.get("function", row("f", filterSource("v2")));
    const [fromOlder, fromNewer] = await Promise.all([older, newer]);
    expect(fromOlder).toBe(fromNewer);
    expect(registry.peek("function", "f")).toBe(fromNewer);
    expect(await fromNewer.sandbox.invoke({ hook: "inlet", payload: {}, context })).toEqual({ ok: true, value: { label: "v2" } });
  });

  it("does not cache a failed load", async () => {
    const broken = row("f", "export default 1 +;");
    await expect(registry.get("function", broken)).rejects.toMatchObject({ code: "PLUGIN_LOAD_FAILED" });
    await expect(registry.get("function", broken)).rejects.toMatchObject({ code: "PLUGIN_LOAD_FAILED" });
    expect(registry.size).toBe(0);
  });

  it("dispose disposes every cached isolate", async () => {
    const a = await registry.get("function", row("a", filterSource("a")));
    const b = await registry.get(
      "tool",
      row(
        "b",
        `import { defineTools, z } from "@sluice/sdk";
export default defineTools({ tools: { ping: { description: "Ping", parameters: z.object({}), execute: () => "pong" } } });`,
      ),
    );
    registry.dispose();
    expect(a.sandbox.isDisposed && b.sandbox.isDisposed).toBe(true);
    expect(registry.size).toBe(0);
  });
});

describe("PluginRegistry residency", () => {
  let clock: number;
  let loads: string[];
  const registries: PluginRegistry[] = [];
  const open = (options: { maxResident?: number; idleEvictMs?: number; recentUseMs?: number }) => {
    const registry = new PluginRegistry({
      logger,
      timeoutMs: 1000,
      now: () => clock,
      onLoad: (namespace: PluginNamespace, id: string) => void loads.push(`${namespace}:${id}`),
      ...options,
    });
    registries.push(registry);
    return registry;
  };
  const inlet = (loaded: Awaited<ReturnType<PluginRegistry["get"]>>) =>
    loaded.sandbox.invoke({ hook: "inlet", payload: { messages: [] }, context });

  beforeEach(() => {
    clock = 1_000_000;
    loads = [];
  });
  afterEach(() => registries.splice(0).forEach((registry) => registry.dispose()));

  it("keeps at most maxResident plugins loaded, and loads an unloaded one again on its next use", async () => {
    const registry = open({ maxResident: 2, recentUseMs: 0 });
    const rows = Array.from({ length: 6 }, (_, index) => row(`f${index}`, filterSource(`v${index}`)));
    const loaded = [];
    for (const each of rows) {
      loaded.push(await registry.get("function", each));
      clock += 1;
      expect(registry.size).toBeLessThanOrEqual(2);
    }
    // The four least recently used were unloaded; the last two stay.
    expect(loaded.slice(0, 4).every((plugin) => plugin.sandbox.isDisposed)).toBe(true);
    expect(loaded.slice(4).map((plugin) => plugin.sandbox.isDisposed)).toEqual([false, false]);
    expect(registry.peek("function", "f0")).toBeUndefined();

    const again = await registry.get("function", rows[0]!);
    expect(again).not.toBe(loaded[0]);
    expect(await inlet(again)).toMatchObject({ ok: true, value: { label: "v0" } });
    expect(loads.filter((id) => id === "function:f0")).toHaveLength(2);
    expect(registry.size).toBe(2);
  });

  it("unloads the least recently used, not the first loaded", async () => {
    const registry = open({ maxResident: 2, recentUseMs: 0 });
    const a = await registry.get("function", row("a", filterSource("a")));
    clock += 1;
    await registry.get("function", row("b", filterSource("b")));
    clock += 1;
    expect(await registry.get("function", row("a", filterSource("a")))).toBe(a); // a is now the most recent
    clock += 1;
    await registry.get("function", row("c", filterSource("c")));
    expect(registry.peek("function", "a")).toBe(a);
    expect(registry.peek("function", "b")).toBeUndefined();
  });

  it("never unloads a plugin in use, nor one just handed out, to make room", async () => {
    const registry = open({ maxResident: 1, recentUseMs: 500 });
    const held = await registry.get("function", row("held", filterSource("held")));
    const release = held.sandbox.hold();
    clock += 1000;
    await registry.get("function", row("other", filterSource("other")));
    // `held` is over the cap but in use; `other` was just handed out.
    expect(held.sandbox.isDisposed).toBe(false);
    expect(registry.size).toBe(2);
    expect(await inlet(held)).toMatchObject({ ok: true });
    release();
    registry.sweep();
    expect(held.sandbox.isDisposed).toBe(true);
    expect(registry.size).toBe(1);
  });

  it("unloads a plugin unused for idleEvictMs, unless it is in use", async () => {
    const registry = open({ idleEvictMs: 60_000 });
    const idle = await registry.get("function", row("idle", filterSource("idle")));
    const busy = await registry.get("function", row("busy", filterSource("busy")));
    const release = busy.sandbox.hold();
    clock += 59_000;
    registry.sweep();
    expect(registry.size).toBe(2);
    clock += 1000;
    registry.sweep();
    expect(idle.sandbox.isDisposed).toBe(true);
    expect(busy.sandbox.isDisposed).toBe(false);
    expect(registry.peek("function", "idle")).toBeUndefined();
    release();
    registry.sweep();
    expect(busy.sandbox.isDisposed).toBe(true);
    expect(registry.size).toBe(0);
    expect(await inlet(await registry.get("function", row("idle", filterSource("idle"))))).toMatchObject({
      ok: true,
      value: { label: "idle" },
    });
  });

  it("checks that a row loads without keeping it", async () => {
    const registry = open({});
    await registry.check("function", row("checked", filterSource("checked")));
    expect(registry.size).toBe(0);
    expect(loads).toEqual([]);
    await expect(registry.check("function", row("broken", "export default 1;"))).rejects.toMatchObject({ code: "PLUGIN_LOAD_FAILED" });
  });
});
