import { SluiceError, type StreamEvent } from "@sluice/sdk";
import type { FunctionRecord } from "./records.ts";
import type { PluginSession, StreamFilterLink, TurnLog } from "./ports.ts";
import type { RequestFilter } from "./resolve-filters.ts";

/** The `stream` hooks of one response, each bound once (ctx built once, one crossing per chunk). */
export interface StreamChain {
  /** The chunk after every hook; `null` when one dropped it. Synchronous when every hook answered synchronously. */
  apply(chunk: StreamEvent): StreamEvent | null | Promise<StreamEvent | null>;
  close(): void;
}

/** How often a lost stream filter is opened again within one response before its chunks are just dropped. */
const MAX_REOPENS = 3;

interface Link {
  record: FunctionRecord;
  hook: StreamFilterLink;
  reopens: number;
}

/**
 * Opens the `stream` hooks of a response. The returned value of a hook replaces the chunk and
 * `null` drops it; a hook that throws (or runs past its per-chunk limit) drops that chunk, logged,
 * and the answer goes on. A sandbox lost to a limit (or to a busy server) is loaded again for the
 * next chunk, so the filter keeps filtering; one that keeps failing is not skipped (it might be
 * redacting): its chunks keep being dropped.
 */
export async function openStreamChain(log: TurnLog, session: PluginSession, filters: readonly RequestFilter[]): Promise<StreamChain> {
  const links: Link[] = [];
  for (const filter of filters) {
    if (filter.hooks.has("stream")) links.push({ record: filter.record, hook: await session.openStreamFilter(filter.record), reopens: 0 });
  }
  const accept = (link: Link, output: unknown): StreamEvent | null => {
    if (!SluiceError.isInstance(output)) return output as StreamEvent | null;
    log.warn({ pluginId: link.record.id, hook: "stream", err: output }, "stream hook failed; chunk dropped");
    return null;
  };
  const shouldReopen = (link: Link) => link.hook.isLost && link.reopens < MAX_REOPENS;
  const reopen = async (link: Link): Promise<void> => {
    link.hook.close();
    link.reopens += 1;
    try {
      link.hook = await session.openStreamFilter(link.record, { reload: true });
    } catch (error) {
      log.warn({ pluginId: link.record.id, err: error }, "stream filter could not be loaded again");
    }
  };
  const applyAsync = async (start: number, current: StreamEvent | null, pending?: Promise<unknown>): Promise<StreamEvent | null> => {
    if (pending) current = accept(links[start]!, await pending);
    for (let index = pending ? start + 1 : start; index < links.length && current !== null; index += 1) {
      const link = links[index]!;
      if (shouldReopen(link)) await reopen(link);
      current = accept(link, await link.hook.transform(current));
    }
    return current;
  };
  return {
    apply(chunk) {
      let current: StreamEvent | null = chunk;
      for (let index = 0; index < links.length && current !== null; index += 1) {
        const link = links[index]!;
        if (shouldReopen(link)) return applyAsync(index, current);
        const output = link.hook.transform(current);
        if (output instanceof Promise) return applyAsync(index, current, output);
        current = accept(link, output);
      }
      return current;
    },
    close() {
      for (const { hook } of links) hook.close();
    },
  };
}
