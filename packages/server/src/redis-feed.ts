import { Redis } from "ioredis";
import type { Logger } from "pino";

/** One Redis pub/sub channel shared by the instances: what the change feeds are built on. */
export interface RedisFeed {
  /** Sends a message to every instance subscribed (this one too); a failure is logged, never thrown. */
  publish(text: string): void;
  close(): Promise<void>;
}

/**
 * Connects a publisher and a subscriber to `channel`. `onMessage` hears every message, this
 * instance's own included; `onReconnect` runs each time the subscriber is back after losing
 * Redis (messages sent meanwhile never arrive). Rejects, with both connections closed, when
 * Redis cannot be reached. `name` names the feed in the warnings logged.
 *
 * @example
 * const feed = await connectRedisFeed({ url, channel: "sluice:tables:changed", name: "table change feed", logger, onMessage });
 * feed.publish(JSON.stringify({ origin, tables: ["function"] }));
 */
export async function connectRedisFeed(options: {
  url: string;
  channel: string;
  name: string;
  logger: Pick<Logger, "warn">;
  onMessage(text: string): void;
  onReconnect?(): void;
}): Promise<RedisFeed> {
  const { channel, name, logger } = options;
  const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const subscriber = publisher.duplicate();
  for (const client of [publisher, subscriber]) client.on("error", (error) => logger.warn({ err: error }, `${name}: Redis error`));
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(channel);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw error;
  }
  subscriber.on("message", (_channel, text: string) => options.onMessage(text));
  if (options.onReconnect) subscriber.on("ready", options.onReconnect);
  return {
    publish(text) {
      publisher.publish(channel, text).catch((error) => logger.warn({ err: error }, `${name}: publish failed`));
    },
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
