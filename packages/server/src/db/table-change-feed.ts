import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import { connectRedisFeed } from "../redis-feed.ts";
import type { TableChanges } from "./table-changes.ts";

const messageSchema = z.object({ origin: z.string(), tables: z.array(z.string()) });

/**
 * Tells the other instances sharing Redis which tables this one wrote, and notes theirs
 * (`<prefix>:tables:changed`), so their cached reads (plugins, models, signed-in users) are read
 * again at once instead of within the cache's maximum age. After Redis was out of reach, every
 * cached read is read again.
 *
 * @example
 * const feed = await connectTableChangeFeed({ url, keyPrefix: "sluice", logger, changes });
 * await feed.close();
 */
export async function connectTableChangeFeed(options: {
  url: string;
  keyPrefix: string;
  logger: Logger;
  changes: TableChanges;
}): Promise<{ close(): Promise<void> }> {
  const channel = `${options.keyPrefix}:tables:changed`;
  const origin = randomUUID();
  const { changes, logger } = options;
  const feed = await connectRedisFeed({
    url: options.url,
    channel,
    name: "table change feed",
    logger,
    onMessage: (text) => {
      let message: z.output<typeof messageSchema>;
      try {
        message = messageSchema.parse(JSON.parse(text));
      } catch {
        logger.warn({ channel }, "table change feed: ignored a malformed message");
        return;
      }
      if (message.origin !== origin) changes.noteWrite(message.tables, { fromFeed: true });
    },
    // Writes told while Redis was out of reach never arrive: nothing cached before is trusted.
    onReconnect: () => changes.noteWriteToAll(),
  });
  const stop = changes.onWrite((tables) => feed.publish(JSON.stringify({ origin, tables })));
  return {
    async close() {
      stop();
      await feed.close();
    },
  };
}
