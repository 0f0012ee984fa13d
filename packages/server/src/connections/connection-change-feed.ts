import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { connectRedisFeed } from "../redis-feed.ts";

/** Tells the other instances sharing Redis that an admin changed the connections, and hears theirs. */
export interface ConnectionChangeFeed {
  publish(): void;
  close(): Promise<void>;
}

/** One instance: nothing to tell. */
export const LOCAL_CONNECTION_FEED: ConnectionChangeFeed = { publish: () => {}, close: async () => {} };

/**
 * Connects the feed over Redis pub/sub (`<prefix>:connections:changed`). A message carries no
 * settings, only that they changed: each instance reads them again from the shared database,
 * and also after each reconnection to Redis, since messages sent meanwhile never arrive.
 */
export async function connectConnectionChangeFeed(options: {
  url: string;
  keyPrefix: string;
  logger: Pick<Logger, "warn">;
  onChange(): void;
}): Promise<ConnectionChangeFeed> {
  const origin = randomUUID();
  const feed = await connectRedisFeed({
    url: options.url,
    channel: `${options.keyPrefix}:connections:changed`,
    name: "connection change feed",
    logger: options.logger,
    onMessage: (text) => {
      if (text !== origin) options.onChange();
    },
    // Messages sent while Redis was out of reach are lost: read the settings again on reconnecting.
    onReconnect: () => options.onChange(),
  });
  return { publish: () => feed.publish(origin), close: () => feed.close() };
}
