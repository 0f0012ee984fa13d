// N copies of the pass-through filter, each in its own isolate as N different plugins would be,
// plus what the request pipeline wraps around them (a plugin session over stub services), so the
// benchmarks can time the sandbox alone and the pipeline's own path to it side by side.

import { pino } from "pino";
import { loadPlugin, type LoadedPlugin, type LoadPluginOptions } from "../packages/server/src/plugins/load-plugin.ts";
import { silentLogger, testContext } from "../packages/server/src/sandbox/sandbox-test-fixtures.ts";
import type { FunctionRecord } from "../packages/server/src/db/functions-repository.ts";
import { SandboxPluginSession, type PluginSessionDependencies } from "../packages/server/src/workspace/plugin-session.ts";
import type { RequestFilter } from "../packages/server/src/core/resolve-filters.ts";
import { createSecretBox } from "../packages/server/src/valves/secret-box.ts";
import { passThroughFilter } from "./fixtures.ts";

export { testContext };

/** A loaded plugin's sandbox: an isolate, or for Python source the plugin's Python process (the Node.js tier is not measured). */
export type FilterSandbox = LoadedPlugin["sandbox"];

export interface FilterSandboxes {
  sandboxes: FilterSandbox[];
  /** The pipeline's view of the same plugins: one request's plugin session and its filters. */
  pipeline(filterCount: number, messages: unknown[]): { session: SandboxPluginSession; filters: RequestFilter[] };
  /**
   * Replaces sandboxes a limit disposed (see README: a scheduling stall can trip the 100 ms
   * synchronous-call limit on this busy machine) and returns their ids.
   */
  repair(): Promise<string[]>;
  dispose(): void;
}

function functionRecord(id: string, content: string): FunctionRecord {
  const record = {
    id,
    user_id: "u1",
    name: id,
    type: "filter",
    content,
    meta: { description: "", manifest: {} },
    valves: {},
    is_active: true,
    is_global: true,
    content_hash: id,
    load_error: null,
    created_at: 0,
    updated_at: 0,
  };
  return record as FunctionRecord;
}

/** `BENCH_DEBUG=1` shows what the sandboxes log (timeouts, watchdog stalls). */
const logger = process.env.BENCH_DEBUG ? pino({ level: "debug" }) : silentLogger;

/** Which filter to load and how: by default the TypeScript pass-through filter, each in an isolate. */
export interface FilterSource {
  source: string;
  /** More load options (the Python tier's data folder, OS user and approval). */
  loadOptions?: Partial<LoadPluginOptions>;
}

export async function loadFilterSandboxes(
  count: number,
  { source, loadOptions }: FilterSource = { source: passThroughFilter },
): Promise<FilterSandboxes> {
  const sandboxes: FilterSandbox[] = [];
  const loaded = new Map<string, LoadedPlugin>();
  const load = async (index: number) => {
    const pluginId = `filter_${index}`;
    const plugin = await loadPlugin(source, { ...loadOptions, pluginId, logger });
    sandboxes[index] = plugin.sandbox;
    loaded.set(pluginId, plugin);
  };
  for (let index = 0; index < count; index += 1) await load(index);
  const dependencies = {
    workspace: { loaded: async (_namespace: string, record: { id: string }) => loaded.get(record.id)! },
    secrets: createSecretBox("sluice-bench-secret-key-0123456789abcdef"),
    logger: silentLogger,
  } as unknown as PluginSessionDependencies;
  return {
    sandboxes,
    pipeline(filterCount, messages) {
      const user = { id: "u1", name: "Ada", email: "ada@example.com", role: "user" as const, settings: {}, groupIds: [], permissions: {} };
      const events = { emit: async () => {}, call: async () => null, canCall: false };
      const metadata = {
        user_id: "u1",
        chat_id: "c1",
        message_id: "m20",
        session_id: null,
        filter_ids: [],
        tool_ids: [],
        files: [],
        features: {},
        model: "fake-small",
        task: null,
      };
      const session = new SandboxPluginSession(dependencies, {
        user,
        metadata,
        events,
        signal: new AbortController().signal,
        messages,
        files: [],
      });
      const filters = sandboxes.slice(0, filterCount).map((sandbox) => ({
        record: functionRecord(sandbox.pluginId, source),
        hooks: new Set(loaded.get(sandbox.pluginId)!.descriptor.hooks),
      }));
      return { session, filters };
    },
    async repair() {
      const replaced: string[] = [];
      for (const [index, sandbox] of sandboxes.entries()) {
        if (!sandbox.isDisposed) continue;
        replaced.push(sandbox.pluginId);
        await load(index);
      }
      return replaced;
    },
    dispose() {
      for (const sandbox of sandboxes) sandbox.dispose();
    },
  };
}
