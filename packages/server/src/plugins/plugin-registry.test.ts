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

const context = { id: "f", user: { id: "u1", name: "Ada", email: "a@example.com", role: "user" }, valves: {}, userValves: {}, metadata: {}, canCall: false };

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
    const b = await registry.get("tool", row("b", `import { defineTools, z } from "@sluice/sdk";
export default defineTools({ tools: { ping: { description: "Ping", parameters: z.object({}), execute: () => "pong" } } });`));
    registry.dispose();
    expect(a.sandbox.isDisposed && b.sandbox.isDisposed).toBe(true);
    expect(registry.size).toBe(0);
  });
});
