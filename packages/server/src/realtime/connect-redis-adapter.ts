import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import type { Logger } from "pino";

export interface RedisAdapterConnection {
  /** The socket.io adapter factory: emits reach sockets on every instance sharing this Redis. */
  adapter: ReturnType<typeof createAdapter>;
  /** Disconnects both Redis clients. */
  close(): Promise<void>;
}

/** How long a cross-instance lookup (which instance holds a session) may take. */
const REQUESTS_TIMEOUT_MS = 3000;

/** `redis://user:password@host` without the password, for messages. */
function describeRedis(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the configured Redis";
  }
}

/**
 * Connects the publisher and subscriber clients `@socket.io/redis-adapter` needs. Fails at once
 * with a clear message when Redis cannot be reached at start-up; later outages are logged and
 * the clients reconnect on their own.
 */
export async function connectRedisAdapter(options: { url: string; keyPrefix: string; logger: Logger }): Promise<RedisAdapterConnection> {
  const publisher = new Redis(options.url, { lazyConnect: true });
  const subscriber = publisher.duplicate();
  let isConnected = false;
  let firstError: Error | undefined;
  for (const [role, client] of [
    ["publisher", publisher],
    ["subscriber", subscriber],
  ] as const) {
    client.on("error", (error) => {
      firstError ??= error;
      if (isConnected) options.logger.warn({ err: error, role }, "Redis connection error");
    });
  }
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    isConnected = true;
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(`Cannot connect to Redis at ${describeRedis(options.url)}: ${(firstError ?? (error as Error)).message}`, {
      cause: error,
    });
  }
  // The adapter publishes without waiting for the answer; while Redis is down a publish rejects
  // (MaxRetriesPerRequestError), which would be an unhandled rejection. An event that cannot cross
  // to the other instances is logged and dropped: realtime across instances degrades, this
  // instance goes on, and the clients reconnect when Redis is back.
  const publish = publisher.publish.bind(publisher) as (channel: string | Buffer, message: string | Buffer) => Promise<number>;
  let droppedSince: number | undefined;
  (publisher as unknown as { publish: typeof publish }).publish = (channel, message) =>
    publish(channel, message).then(
      (receivers) => {
        if (droppedSince !== undefined) options.logger.info("Redis is back: events reach the other instances again");
        droppedSince = undefined;
        return receivers;
      },
      (error: unknown) => {
        if (droppedSince === undefined) {
          droppedSince = Date.now();
          options.logger.warn({ err: error }, "Redis unreachable: events are not reaching the other instances");
        }
        return 0;
      },
    );
  return {
    adapter: createAdapter(publisher, subscriber, { key: `${options.keyPrefix}:socket.io`, requestsTimeout: REQUESTS_TIMEOUT_MS }),
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
