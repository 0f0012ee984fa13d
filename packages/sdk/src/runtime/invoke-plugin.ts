import type { NormalizedPlugin } from "./normalize-plugin.ts";
import { runHook } from "./run-hook.ts";
import { toInvokeError } from "./to-invoke-error.ts";
import type { InvokeRequest, InvokeResult, SluiceHost } from "./types.ts";

/**
 * Runs one hook and reports the outcome as an {@link InvokeResult}; never rejects.
 *
 * @example
 * const result = await invokePlugin(plugin, request, host);
 * if (!result.ok) console.error(result.error.code, result.error.message);
 */
export async function invokePlugin(plugin: NormalizedPlugin, request: InvokeRequest, host: SluiceHost): Promise<InvokeResult> {
  try {
    const output = await runHook(plugin, request, host);
    return output.chunks ? { ok: true, value: output.value, chunks: output.chunks } : { ok: true, value: output.value };
  } catch (error) {
    return { ok: false, error: toInvokeError(error) };
  }
}
