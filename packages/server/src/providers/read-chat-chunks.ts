import type { StreamEvent } from "@sluice/sdk";
import type { Logger } from "pino";
import type { ServerSentEvent } from "./parse-server-sent-events.ts";
import { isUpstreamErrorObject, upstreamReportedError } from "./upstream-error.ts";

export interface ReadChatChunksOptions {
  /** Names the upstream in errors and log lines (its host). */
  source: string;
  /** Gets a warning for each event that is not JSON and is skipped. */
  logger?: Pick<Logger, "warn">;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Gives every chunk the shape {@link StreamEvent} promises: `choices` is an array (usage-only
 * chunks may omit it) and each choice has an `index` and a `delta` object.
 */
export function normalizeChunk(value: Record<string, unknown>): StreamEvent {
  const choices = Array.isArray(value.choices) ? value.choices : [];
  return {
    ...value,
    choices: choices.filter(isRecord).map((choice, position) => ({
      ...choice,
      index: typeof choice.index === "number" ? choice.index : position,
      delta: isRecord(choice.delta) ? choice.delta : {},
    })),
  };
}

/**
 * Turns the server-sent events of an OpenAI-compatible streaming answer into chat chunks.
 * Stops at `data: [DONE]`; skips empty events and (with a warning) events that are not JSON;
 * throws `UPSTREAM_ERROR` for an `{error}` object or an `event: error`.
 *
 * @example
 * for await (const chunk of readChatChunks(parseServerSentEvents(response.body!), { source: "api.openai.com" })) {
 *   process.stdout.write(chunk.choices[0]?.delta.content ?? "");
 * }
 */
export async function* readChatChunks(events: AsyncIterable<ServerSentEvent>, options: ReadChatChunksOptions): AsyncGenerator<StreamEvent> {
  for await (const event of events) {
    const data = event.data.trim();
    if (data === "") continue;
    if (data === "[DONE]") return;
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      if (event.event === "error") throw upstreamReportedError(options.source, data);
      options.logger?.warn({ upstream: options.source, data: data.slice(0, 200) }, "skipped a stream event that is not JSON");
      continue;
    }
    if (isUpstreamErrorObject(value)) throw upstreamReportedError(options.source, value);
    if (event.event === "error") throw upstreamReportedError(options.source, { error: value });
    if (!isRecord(value)) {
      options.logger?.warn({ upstream: options.source, data: data.slice(0, 200) }, "skipped a stream event that is not an object");
      continue;
    }
    yield normalizeChunk(value);
  }
}
