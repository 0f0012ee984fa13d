import type { SluiceError } from "@sluice/sdk";
import { malformedResultError, runtimeError, type RawRuntimeError } from "./host/plugin-errors.ts";

const HOOK = "pipe";

/** What the runtime answers to a start or pull of a streaming pipe (both sandbox tiers). */
export interface PipeAnswer {
  ok?: unknown;
  kind?: string;
  done?: boolean;
  value?: unknown;
  error?: RawRuntimeError;
}

/** The SluiceError for a pipe answer that is not `ok`, keeping the plugin's own code and stack. */
export function pipeAnswerError(pluginId: string, answer: PipeAnswer | null): SluiceError {
  const details = { pluginId, hook: HOOK };
  return answer?.error ? runtimeError(answer.error, details) : malformedResultError(details);
}
