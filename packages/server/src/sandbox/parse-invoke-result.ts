import { ERROR_CODES, SluiceError, type ErrorCode } from "@sluice/sdk";

/** A hook's outcome. Failures (the plugin threw, timed out, ran out of memory) are data, never thrown. */
export type SandboxInvokeResult = { ok: true; value: unknown; chunks?: unknown[] } | { ok: false; error: SluiceError };

interface RawInvokeResult {
  ok?: unknown;
  value?: unknown;
  chunks?: unknown;
  error?: { code?: unknown; message?: unknown; stack?: unknown };
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
    if (raw.ok === false && raw.error) {
      const code = (ERROR_CODES as readonly unknown[]).includes(raw.error.code) ? (raw.error.code as ErrorCode) : "PLUGIN_ERROR";
      const message = typeof raw.error.message === "string" ? raw.error.message : `Plugin "${pluginId}" failed in ${hook}`;
      // The plugin's own stack, for the server log; SluiceError's stack is the host's.
      const cause = typeof raw.error.stack === "string" ? { stack: raw.error.stack } : undefined;
      return { ok: false, error: new SluiceError(code, message, { ...details, cause }) };
    }
  }
  return { ok: false, error: new SluiceError("PLUGIN_ERROR", `Plugin "${pluginId}" returned a malformed result from ${hook}`, details) };
}
