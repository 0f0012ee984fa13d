import { SluiceError } from "@sluice/sdk";
import type { ValvesResult } from "@sluice/sdk/runtime";
import { awaitCall, parseRuntimeJson } from "./await-call.ts";
import type { HostCalls } from "./host-calls.ts";
import { InvocationClock } from "./invocation-clock.ts";

/** `PluginHost.validateValves`: the plugin's own schema checks valve values; a failure of the plugin is thrown. */
export async function validateValves(calls: HostCalls, which: "valves" | "userValves", values: unknown): Promise<ValvesResult> {
  const hook = which === "valves" ? "valves validation" : "user valves validation";
  const connection = await calls.connect(hook);
  const invocation = calls.begin({}, hook, calls.timeoutMs);
  invocation.clock = new InvocationClock(calls.timeoutMs);
  try {
    const text = await awaitCall(calls, invocation, connection, connection.call("validateValves", [which, values], calls.timeoutMs));
    const result = parseRuntimeJson(calls.pluginId, hook, text);
    if (typeof result !== "object" || result === null || typeof (result as { ok?: unknown }).ok !== "boolean") {
      throw new SluiceError("PLUGIN_ERROR", `Plugin "${calls.pluginId}" returned a malformed valves result`, {
        pluginId: calls.pluginId,
        hook,
      });
    }
    return result as ValvesResult;
  } finally {
    calls.end(invocation);
  }
}
