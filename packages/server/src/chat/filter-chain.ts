import { SluiceError, type StreamEvent } from "@sluice/sdk";
import type { StreamHookSession } from "../sandbox/stream-hook.ts";
import type { PluginRunner } from "../sandbox/plugin-runner.ts";
import type { AppServices } from "../services.ts";
import { listFunctions, type FunctionRecord } from "../db/functions-repository.ts";
import { effectivePriority, selectFilters } from "../core/select-filters.ts";
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
 * A filter that fails to load is left out (and deactivated, with its error shown to admins).
 */
export async function resolveFilters(services: AppServices, caller: PluginCaller, modelFilterIds: readonly string[], enabledFilterIds: readonly string[]): Promise<RequestFilter[]> {
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
      services.logger.warn({ pluginId: record.id, err: error }, "filter left out: it does not load");
    }
  }
  return selectFilters(candidates, modelFilterIds, enabledFilterIds).map((candidate) => loadedById.get(candidate.id)!);
}

/**
 * Runs `inlet` or `outlet` through the chain: each filter's return value replaces the body
 * (`undefined` means unchanged, handled by the runtime). A throw aborts with that error.
 */
export async function runBodyChain<Body>(caller: PluginCaller, filters: readonly RequestFilter[], hook: "inlet" | "outlet", body: Body): Promise<Body> {
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
export async function openStreamChain(services: AppServices, caller: PluginCaller, filters: readonly RequestFilter[]): Promise<StreamChain> {
  const sessions: Array<{ record: FunctionRecord; session: StreamHookSession; runner: PluginRunner }> = [];
  for (const filter of filters) {
    if (!filter.hooks.has("stream")) continue;
    const loaded = await caller.plugin("function", filter.record);
    const session = loaded.sandbox.openStreamHook({ context: caller.context("function", filter.record) }, caller.handlers(filter.record, "stream"));
    sessions.push({ record: filter.record, session, runner: loaded.sandbox });
  }
  // A filter whose sandbox was lost to a limit would fail every later chunk: after dropping the
  // chunk it failed on, the rest of the answer passes it by instead of vanishing. A chunk that
  // merely timed out (a busy server) only drops that chunk: the filter keeps working.
  const bypassed = new Set<number>();
  const accept = (index: number, output: unknown): StreamEvent | null => {
    if (!SluiceError.isInstance(output)) return output as StreamEvent | null;
    const { runner } = sessions[index]!;
    const isLost = runner.isBroken || runner.isDisposed;
    if (isLost) bypassed.add(index);
    services.logger.warn({ pluginId: sessions[index]!.record.id, hook: "stream", err: output }, isLost ? "stream hook lost to a limit; chunk dropped, filter skipped for the rest of the answer" : "stream hook failed; chunk dropped");
    return null;
  };
  const finish = async (index: number, pending: Promise<unknown>): Promise<StreamEvent | null> => {
    let current = accept(index, await pending);
    for (let next = index + 1; next < sessions.length && current !== null; next += 1) {
      if (!bypassed.has(next)) current = accept(next, await sessions[next]!.session.transform(current));
    }
    return current;
  };
  return {
    apply(chunk) {
      let current: StreamEvent | null = chunk;
      for (let index = 0; index < sessions.length && current !== null; index += 1) {
        if (bypassed.has(index)) continue;
        const output = sessions[index]!.session.transform(current);
        if (output instanceof Promise) return finish(index, output);
        current = accept(index, output);
      }
      return current;
    },
    close() {
      for (const { session } of sessions) session.close();
    },
  };
}
