import { SluiceError } from "../errors.ts";
import { buildDescriptor } from "./build-descriptor.ts";
import { checkValves } from "./check-valves.ts";
import { createRequire } from "./create-require.ts";
import { messageOf } from "./describe-value.ts";
import { findPlugin } from "./find-plugin.ts";
import { invokePlugin } from "./invoke-plugin.ts";
import type { NormalizedPlugin } from "./normalize-plugin.ts";
import type { InvokeRequest, InvokeResult, PluginDescriptor, SluiceHost, ValvesResult } from "./types.ts";

/**
 * The CommonJS wrapper of a compiled plugin bundle.
 *
 * @example
 * const factory: PluginFactory = (module, exports, require) => { module.exports = require("./plugin"); };
 */
export type PluginFactory = (module: { exports: unknown }, exports: unknown, require: (name: string) => unknown) => void;

let loaded: { plugin: NormalizedPlugin; descriptor: PluginDescriptor } | null = null;

/**
 * Runs a compiled plugin's module function, finds and checks the plugin, keeps it as this
 * isolate's one plugin and returns its descriptor. Throws an `Error` with a clear message when the
 * module throws, exports no plugin, or the plugin is malformed.
 *
 * @example
 * const descriptor = __sluice_runtime.registerPlugin(function (module, exports, require) { … });
 */
export function registerPlugin(factory: PluginFactory): PluginDescriptor {
  if (typeof factory !== "function")
    throw new Error("registerPlugin expects the plugin's module function (module, exports, require) => void");
  const module = { exports: {} as unknown };
  try {
    factory(module, module.exports, createRequire());
  } catch (error) {
    const wrapped = new Error(`The plugin threw while loading: ${messageOf(error)}`, { cause: error });
    if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.message}\n${error.stack.split("\n").slice(1).join("\n")}`;
    throw wrapped;
  }
  const plugin = findPlugin(module.exports);
  const descriptor = buildDescriptor(plugin);
  loaded = { plugin, descriptor };
  return descriptor;
}

/**
 * The descriptor of the registered plugin.
 *
 * @example
 * const { kind, hooks } = __sluice_runtime.describePlugin();
 */
export function describePlugin(): PluginDescriptor {
  return requireLoaded().descriptor;
}

/**
 * Validates admin (`"valves"`) or user (`"userValves"`) valve values for storage; see
 * docs/internals/plugin-runtime.md §5.
 *
 * @example
 * const result = __sluice_runtime.validateValves("valves", { maxTurns: 3, priority: null });
 * // { ok: true, stored: { maxTurns: 3 }, effective: { priority: 0, maxTurns: 3 } }
 */
export function validateValves(which: "valves" | "userValves", values: unknown): ValvesResult {
  const { plugin } = requireLoaded();
  if (which !== "valves" && which !== "userValves") {
    return { ok: false, issues: [{ path: "", message: `Unknown valves kind ${JSON.stringify(which)}: use "valves" or "userValves"` }] };
  }
  return checkValves(which === "valves" ? plugin.valves : plugin.userValves, values, which);
}

/**
 * Runs one hook of the registered plugin with the host's capabilities; never rejects. See
 * docs/internals/plugin-runtime.md §6.
 *
 * @example
 * const result = await __sluice_runtime.invokeHook({ invocationId: "inv-1", hook: "inlet", payload: body, context });
 */
export async function invokeHook(request: InvokeRequest): Promise<InvokeResult> {
  if (!loaded) return { ok: false, error: { code: "PLUGIN_LOAD_FAILED", message: "No plugin is registered in this isolate" } };
  const host = (globalThis as { __sluice_host?: SluiceHost }).__sluice_host;
  if (!host) return { ok: false, error: { code: "INTERNAL", message: "The host capabilities (globalThis.__sluice_host) are missing" } };
  return invokePlugin(loaded.plugin, request, host);
}

/** The registered plugin, or null before `registerPlugin`: for the runtime's other entry points. */
export function registeredPlugin(): NormalizedPlugin | null {
  return loaded?.plugin ?? null;
}

function requireLoaded(): NonNullable<typeof loaded> {
  if (!loaded) throw new SluiceError("PLUGIN_LOAD_FAILED", "No plugin is registered in this isolate");
  return loaded;
}
