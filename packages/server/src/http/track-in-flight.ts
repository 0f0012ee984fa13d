import type { FastifyInstance } from "fastify";

export interface InFlightRequests {
  /** Requests being answered now (a streaming chat counts until its answer is saved). */
  readonly count: number;
  /** Resolves once no request is in flight, or after `timeoutMs`; true when they all finished. */
  drained(timeoutMs: number): Promise<boolean>;
}

/**
 * Counts the HTTP requests being answered, so a graceful stop can let in-flight answers finish
 * (and be saved) before it closes realtime and the database.
 */
export function trackInFlight(app: FastifyInstance): InFlightRequests {
  let count = 0;
  const waiters = new Set<() => void>();
  const settle = () => {
    if (count > 0) return;
    for (const waiter of waiters) waiter();
    waiters.clear();
  };
  app.addHook("onRequest", async (_request, reply) => {
    count += 1;
    // "close" comes once per response, whether it ended, was hijacked and ended (a streamed chat:
    // after its answer is saved), or lost its client.
    reply.raw.once("close", () => {
      count -= 1;
      settle();
    });
  });
  return {
    get count() {
      return count;
    },
    drained(timeoutMs) {
      if (count <= 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(done);
          resolve(false);
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve(true);
        };
        waiters.add(done);
      });
    },
  };
}
