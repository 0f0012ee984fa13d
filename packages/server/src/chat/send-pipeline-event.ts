import type { Logger } from "pino";
import type { PluginEvents } from "./plugin-caller.ts";

/**
 * Sends an event of the pipeline's own (`chat:completion` snapshots, tool status lines,
 * `chat:outlet`) to the user's tabs. The answer never depends on it: a failure (a tab gone, a
 * Redis outage) is logged and the answer goes on.
 *
 * @example
 * await sendPipelineEvent(services.logger, caller.scope.events, { type: "chat:completion", data: { done: true, content } });
 */
export async function sendPipelineEvent(logger: Logger, events: PluginEvents, event: { type: string; data: unknown }): Promise<void> {
  try {
    await events.emit(event);
  } catch (error) {
    logger.warn({ err: error, type: event.type }, "a pipeline event could not be delivered; the answer goes on");
  }
}
