import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a plugin posted to `/record`. */
export interface CollectedRecord {
  plugin: string;
  [key: string]: unknown;
}

/**
 * A loopback HTTP server plugins report to, for tests of background work: `POST /record` stores
 * the JSON body and answers at once; `POST /hold/<tag>` is answered only when the test calls
 * `release(tag)`, so a plugin can be kept waiting for as long as a test needs, without sleeps.
 *
 * @example
 * const collector = await startEventCollector();
 * const seen = await collector.waitFor((record) => record.plugin === "audit");
 * await collector.arrived("slow");
 * collector.release("slow");
 */
export interface EventCollector {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Everything posted to `/record`, in order of arrival. */
  records: CollectedRecord[];
  /** Resolves with the first record (already there, or to come) that matches. */
  waitFor(match: (record: CollectedRecord) => boolean): Promise<CollectedRecord>;
  /** Resolves once a request to `/hold/<tag>` has arrived (it stays unanswered). */
  arrived(tag: string): Promise<void>;
  /** True while a request to `/hold/<tag>` waits for {@link release}. */
  isHeld(tag: string): boolean;
  /** Answers the held requests of `tag` (and any that come later) with 200. */
  release(tag: string): void;
  close(): Promise<void>;
}

export async function startEventCollector(): Promise<EventCollector> {
  const records: CollectedRecord[] = [];
  const recordWaiters: Array<{ match: (record: CollectedRecord) => boolean; resolve: (record: CollectedRecord) => void }> = [];
  const held = new Map<string, ServerResponse[]>();
  const released = new Set<string>();
  const arrivals = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  const arrival = (tag: string) => {
    let entry = arrivals.get(tag);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      entry = { promise, resolve };
      arrivals.set(tag, entry);
    }
    return entry;
  };

  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };

  const release = (tag: string) => {
    released.add(tag);
    for (const response of held.get(tag) ?? []) response.end("released");
    held.delete(tag);
  };

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const url = request.url ?? "";
    if (url === "/record") {
      const record = JSON.parse(body) as CollectedRecord;
      records.push(record);
      for (const waiter of recordWaiters.splice(0)) {
        if (waiter.match(record)) waiter.resolve(record);
        else recordWaiters.push(waiter);
      }
      response.end("ok");
      return;
    }
    if (url.startsWith("/hold/")) {
      const tag = url.slice("/hold/".length);
      if (released.has(tag)) {
        response.end("released");
      } else {
        held.set(tag, [...(held.get(tag) ?? []), response]);
      }
      arrival(tag).resolve();
      return;
    }
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    records,
    waitFor(match) {
      const found = records.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => recordWaiters.push({ match, resolve }));
    },
    arrived: (tag) => arrival(tag).promise,
    isHeld: (tag) => (held.get(tag)?.length ?? 0) > 0,
    release,
    async close() {
      for (const tag of [...held.keys()]) release(tag);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
