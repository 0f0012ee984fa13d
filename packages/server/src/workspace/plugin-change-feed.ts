import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import { connectRedisFeed } from "../redis-feed.ts";
import type { PluginNamespace } from "../plugins/plugin-registry.ts";

/** A plugin whose code changed (or that was deleted) on some instance. */
export interface PluginChange {
  namespace: PluginNamespace;
  id: string;
  /** The new content hash; absent for a delete. */
  contentHash?: string;
}

/** Tells the other instances sharing Redis about plugin changes, and hears theirs. */
export interface PluginChangeFeed {
  publish(change: PluginChange): void;
  close(): Promise<void>;
}

const messageSchema = z.object({
  origin: z.string(),
  namespace: z.enum(["function", "tool"]),
  id: z.string(),
  contentHash: z.string().optional(),
});

/** One instance: nothing to tell. */
export const LOCAL_CHANGE_FEED: PluginChangeFeed = { publish: () => {}, close: async () => {} };

/**
 * Connects the change feed over Redis pub/sub (`<prefix>:plugins:changed`). Every instance still
 * checks a row's content hash before each use (the row read through the cache the table change
 * feed keeps current), so correctness never depends on this message; it lets the others drop a
 * stale isolate at once instead of holding its memory until the next use.
 */
export async function connectPluginChangeFeed(options: {
  url: string;
  keyPrefix: string;
  logger: Logger;
  onChange(change: PluginChange): void;
}): Promise<PluginChangeFeed> {
  const channel = `${options.keyPrefix}:plugins:changed`;
  const origin = randomUUID();
  const feed = await connectRedisFeed({
    url: options.url,
    channel,
    name: "plugin change feed",
    logger: options.logger,
    onMessage: (text) => {
      let message: z.output<typeof messageSchema>;
      try {
        message = messageSchema.parse(JSON.parse(text));
      } catch {
        options.logger.warn({ channel }, "plugin change feed: ignored a malformed message");
        return;
      }
      if (message.origin === origin) return;
      options.onChange({
        namespace: message.namespace,
        id: message.id,
        ...(message.contentHash ? { contentHash: message.contentHash } : {}),
      });
    },
  });
  return { publish: (change) => feed.publish(JSON.stringify({ origin, ...change })), close: () => feed.close() };
}
