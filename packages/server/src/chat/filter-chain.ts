import { SluiceError, type StreamEvent } from "@sluice/sdk";
import type { StreamFilterSession } from "../sandbox/host/stream-filter-session.ts";
import type { PluginRunner } from "../sandbox/plugin-runner.ts";
import type { AppServices } from "../services.ts";
import { listFunctions, type FunctionRecord } from "../db/functions-repository.ts";
import { effectivePriority, selectFilters } from "../core/select-filters.ts";
import { isLocalLoadFailure } from "../plugins/is-local-load-failure.ts";
import { openValves } from "../valves/stored-valves.ts";
import type { PluginCaller } from "./plugin-caller.ts";

/** One filter of a request, with the hooks it has. */
export interface RequestFilter {
  record: FunctionRecord;
  hooks: ReadonlySet<string>;
}

/**
 * The filters of one request, in order (reference §6.2): active global filters and the model's
 * `filterIds`; toggle filters only when in the request's `filter_ids`; by priority, then id.
 * A filter that fails to load is left out (and deactivated, with its error shown to admins); one
 * that cannot load on this instance only fails the request (UNAVAILABLE).
 */
export async function resolveFilters(
  services: AppServices,
  caller: PluginCaller,
  modelFilterIds: readonly string[],
  enabledFilterIds: readonly string[],
): Promise<RequestFilter[]> {
  const records = (await listFunctions(services.db)).filter((record) => record.type === "filter" && record.is_active);
  const attached = new Set(modelFilterIds);
  const candidates = [];
  const loadedById = new Map<string, { record: FunctionRecord; hooks: Set<string> }>();
  for (const record of records) {
    if (!record.is_global && !attached.has(record.id)) continue;
    try {
      const loaded = await caller.plugin("function", record);
      loadedById.set(record.id, { record, hooks: new Set(loaded.descriptor.hooks) });
      candidates.push({
        id: record.id,
        isActive: true,
        isGlobal: record.is_global,
        isToggle: loaded.descriptor.toggle,
        priority: effectivePriority(openValves(record.valves, services.secrets), loaded.descriptor.valvesSchema),
      });
    } catch (error) {
      // A filter that cannot load here for this instance's own reasons stays on for the others:
      // this request fails rather than run without it (a redacting filter must not be skipped).
      if (isLocalLoadFailure(error)) {
        throw new SluiceError("UNAVAILABLE", `Filter "${record.id}" cannot run on this server instance: ${(error as Error).message}`, {
          pluginId: record.id,
          cause: error,
        });
      }
      services.logger.warn({ pluginId: record.id, err: error }, "filter left out: it does not load");
    }
  }
  return selectFilters(candidates, modelFilterIds, enabledFilterIds).map((candidate) => loadedById.get(candidate.id)!);
}

/**
 * Runs `inlet` or `outlet` through the chain: each filter's return value replaces the body
 * (`undefined` means unchanged, handled by the runtime). A throw aborts with that error.
 */
export async function runBodyChain<Body>(
  caller: PluginCaller,
  filters: readonly RequestFilter[],
  hook: "inlet" | "outlet",
  body: Body,
): Promise<Body> {
  let current = body;
  for (const filter of filters) {
    if (!filter.hooks.has(hook)) continue;
    current = (await caller.invoke("function", filter.record, hook, current)) as Body;
  }
  return current;
}

/** The `stream` hooks of one response, each bound once (ctx built once, one crossing per chunk). */
export interface StreamChain {
  /** The chunk after every hook; `null` when one dropped it. Synchronous when every hook answered synchronously. */
  apply(chunk: StreamEvent): StreamEvent | null | Promise<StreamEvent | null>;
  close(): void;
}

/**
 * Opens the `stream` hooks of a response. The returned value of a hook replaces the chunk and
 * `null` drops it; a hook that throws (or runs past its per-chunk limit) drops that chunk, logged,
 * and the answer goes on.
 */
export async function openStreamChain(
  services: AppServices,
  caller: PluginCaller,
  filters: readonly RequestFilter[],
): Promise<StreamChain> {
  interface Link {
    record: FunctionRecord;
    session: StreamFilterSession;
    runner: PluginRunner;
    reopens: number;
    isLost: boolean;
  }
  const open = async (record: FunctionRecord, isReload: boolean): Promise<Pick<Link, "session" | "runner">> => {
    const loaded = isReload ? await caller.reload("function", record) : await caller.plugin("function", record);
    const session = loaded.sandbox.openStreamFilter({ context: caller.context("function", record) }, caller.handlers(record, "stream"));
    return { session, runner: loaded.sandbox };
  };
  const links: Link[] = [];
  for (const filter of filters) {
    if (filter.hooks.has("stream")) links.push({ record: filter.record, ...(await open(filter.record, false)), reopens: 0, isLost: false });
  }
  // A throw drops that chunk only. A sandbox lost to a limit (or to a busy server) is loaded
  // again for the next chunk, so the filter keeps filtering; one that keeps failing is not
  // skipped (it might be redacting): its chunks keep being dropped.
  const accept = (link: Link, output: unknown): StreamEvent | null => {
    if (!SluiceError.isInstance(output)) return output as StreamEvent | null;
    link.isLost = link.runner.isBroken || link.runner.isDisposed;
    services.logger.warn({ pluginId: link.record.id, hook: "stream", err: output }, "stream hook failed; chunk dropped");
    return null;
  };
  const reopen = async (link: Link): Promise<void> => {
    link.session.close();
    link.reopens += 1;
    try {
      Object.assign(link, await open(link.record, true), { isLost: false });
    } catch (error) {
      services.logger.warn({ pluginId: link.record.id, err: error }, "stream filter could not be loaded again");
    }
  };
  const MAX_REOPENS = 3;
  const applyAsync = async (start: number, current: StreamEvent | null, pending?: Promise<unknown>): Promise<StreamEvent | null> => {
    if (pending) current = accept(links[start]!, await pending);
    for (let index = pending ? start + 1 : start; index < links.length && current !== null; index += 1) {
      const link = links[index]!;
      if (link.isLost && link.reopens < MAX_REOPENS) await reopen(link);
      current = accept(link, await link.session.transform(current));
    }
    return current;
  };
  return {
    apply(chunk) {
      let current: StreamEvent | null = chunk;
      for (let index = 0; index < links.length && current !== null; index += 1) {
        const link = links[index]!;
        if (link.isLost && link.reopens < MAX_REOPENS) return applyAsync(index, current);
        const output = link.session.transform(current);
        if (output instanceof Promise) return applyAsync(index, current, output);
        current = accept(link, output);
      }
      return current;
    },
    close() {
      for (const { session } of links) session.close();
    },
  };
}
