import { ERROR_CODES, SluiceError, type ErrorCode } from "@sluice/sdk";

const HOOK = "pipe";

/** What the runtime answers to a start or pull of a streaming pipe (both sandbox tiers). */
export interface PipeAnswer {
  ok?: unknown;
  kind?: string;
  done?: boolean;
  value?: unknown;
  error?: { code?: unknown; message?: unknown; stack?: unknown };
}

/** The SluiceError for a pipe answer that is not `ok`, keeping the plugin's own code and stack. */
export function pipeAnswerError(pluginId: string, answer: PipeAnswer | null): SluiceError {
  const details = { pluginId, hook: HOOK };
  const error = answer?.error;
  if (!error) return new SluiceError("PLUGIN_ERROR", `Plugin "${pluginId}" returned a malformed result from ${HOOK}`, details);
  const code = (ERROR_CODES as readonly unknown[]).includes(error.code) ? (error.code as ErrorCode) : "PLUGIN_ERROR";
  const message = typeof error.message === "string" ? error.message : `Plugin "${pluginId}" failed in ${HOOK}`;
  return new SluiceError(code, message, { ...details, cause: typeof error.stack === "string" ? { stack: error.stack } : undefined });
}
