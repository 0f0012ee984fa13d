import type { SluiceError } from "@sluice/sdk";
import { malformedResultError, runtimeError, type RawRuntimeError } from "./plugin-errors.ts";

/** A hook's outcome. Failures (the plugin threw, timed out, ran out of memory) are data, never thrown. */
export type SandboxInvokeResult = { ok: true; value: unknown; chunks?: unknown[] } | { ok: false; error: SluiceError };

interface RawInvokeResult {
  ok?: unknown;
  value?: unknown;
  chunks?: unknown;
  error?: RawRuntimeError;
}

/**
 * Checks what the runtime's `invokeHook` returned (the plugin shares its isolate and could have
 * tampered with it) and turns a failure into a SluiceError naming the plugin and hook.
 */
export function parseInvokeResult(result: unknown, pluginId: string, hook: string): SandboxInvokeResult {
  const details = { pluginId, hook };
  if (typeof result === "object" && result !== null) {
    const raw = result as RawInvokeResult;
    if (raw.ok === true) {
      return Array.isArray(raw.chunks) ? { ok: true, value: raw.value, chunks: raw.chunks } : { ok: true, value: raw.value };
    }
    if (raw.ok === false && raw.error) return { ok: false, error: runtimeError(raw.error, details) };
  }
  return { ok: false, error: malformedResultError(details) };
}
