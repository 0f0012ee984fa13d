import type { EventSink, TurnEvent, TurnLog } from "./ports.ts";

/**
 * Sends an event of the pipeline's own (`chat:completion` snapshots, tool status lines,
 * `chat:outlet`) to the user's tabs. The answer never depends on it: a failure (a tab gone, a
 * Redis outage) is logged and the answer goes on.
 *
 * @example
 * await sendPipelineEvent(ports.log, events, { type: "chat:completion", data: { done: true, content } });
 */
export async function sendPipelineEvent(log: TurnLog, events: EventSink, event: TurnEvent): Promise<void> {
  try {
    await events.emit(event);
  } catch (error) {
    log.warn({ err: error, type: event.type }, "a pipeline event could not be delivered; the answer goes on");
  }
}
