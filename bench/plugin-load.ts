// 3. Plugin cold load (frontmatter, esbuild compile, new isolate with the runtime, plugin run and
// described; no requirements) against a bare isolate and context; and a cached registry lookup
// against an already-resolved promise.

import ivm from "isolated-vm";
import { compilePlugin } from "../packages/server/src/plugins/compile-plugin.ts";
import { loadPlugin } from "../packages/server/src/plugins/load-plugin.ts";
import { PluginRegistry, type PluginRow } from "../packages/server/src/plugins/plugin-registry.ts";
import { PluginSandbox } from "../packages/server/src/sandbox/isolate/plugin-sandbox.ts";
import { silentLogger } from "../packages/server/src/sandbox/sandbox-test-fixtures.ts";
import { PluginWorkspace } from "../packages/server/src/workspace/plugin-workspace.ts";
import type { FunctionRecord } from "../packages/server/src/db/functions-repository.ts";
import { passThroughFilter } from "./fixtures.ts";
import { alternating, pairedDifference, summarise } from "./measure.ts";

const LOADS = 15;
const LOOKUPS_PER_REPEAT = 20_000;
const REPEATS = 9;

/** The same plugin with a different comment each time, so nothing could be reused between loads. */
function freshSource(index: number): string {
  return `${passThroughFilter}\n// load ${index} ${Date.now()}\n`;
}

async function timeMilliseconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function benchPluginLoad(): Promise<Record<string, unknown>> {
  await compilePlugin(passThroughFilter); // esbuild's service starts once per server, not per load

  const total: number[] = [];
  const compile: number[] = [];
  const sandbox: number[] = [];
  const bareIsolate: number[] = [];
  for (let index = 0; index < LOADS; index += 1) {
    bareIsolate.push(
      await timeMilliseconds(async () => {
        const isolate = new ivm.Isolate({ memoryLimit: 128 });
        await isolate.createContext();
        isolate.dispose();
      }),
    );
    let code = "";
    compile.push(await timeMilliseconds(async () => ({ code } = await compilePlugin(freshSource(index)))));
    sandbox.push(
      await timeMilliseconds(async () => {
        const created = await PluginSandbox.create(code, { pluginId: `load_${index}`, host: {}, logger: silentLogger });
        created.sandbox.dispose();
      }),
    );
    total.push(
      await timeMilliseconds(async () => {
        const loaded = await loadPlugin(freshSource(index), { pluginId: `cold_${index}`, logger: silentLogger });
        loaded.sandbox.dispose();
      }),
    );
  }

  const registry = new PluginRegistry({ logger: silentLogger });
  const row: PluginRow = { id: "cached_filter", content: passThroughFilter, content_hash: "hash-1" };
  const loaded = await registry.get("function", row);
  const workspace = new PluginWorkspace({ db: undefined as never, registry, logger: silentLogger, loadOptions: {} });
  const record = { ...row, type: "filter", is_active: true, load_error: null } as unknown as FunctionRecord;
  const resolved = Promise.resolve(loaded);
  const baseline = () => resolved;
  const lookups = await alternating(LOOKUPS_PER_REPEAT, REPEATS, {
    baseline,
    registry: () => registry.get("function", row),
    workspace: () => workspace.loaded("function", record),
  });
  registry.dispose();

  return {
    coldLoadMilliseconds: summarise(total),
    cachedLookupMicroseconds: pairedDifference(lookups.registry, lookups.baseline),
    details: {
      compileMilliseconds: summarise(compile),
      sandboxCreateMilliseconds: summarise(sandbox),
      bareIsolateAndContextMilliseconds: summarise(bareIsolate),
      registryLookupMicroseconds: summarise(lookups.registry),
      baselineAwaitResolvedMicroseconds: summarise(lookups.baseline),
      workspaceLookupAddedMicroseconds: pairedDifference(lookups.workspace, lookups.baseline),
    },
    method: {
      coldLoad:
        "loadPlugin(source) of a 20-line filter (frontmatter, esbuild compile, isolate + runtime + plugin), fresh source each time; baseline: new ivm.Isolate + createContext",
      cachedLookup: "await PluginRegistry.get(row) of a loaded row minus await of an already-resolved promise",
      loads: LOADS,
      lookupsPerRepeat: LOOKUPS_PER_REPEAT,
      repeats: REPEATS,
    },
  };
}
