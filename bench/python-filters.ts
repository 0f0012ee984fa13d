// 6. The Python tier: the stream hook, inlet + outlet and cold load of the same pass-through filter
// written as an Open WebUI function (`class Filter` with pydantic `Valves`), each copy in its own
// Python process as the server runs it, measured the way figures 1–3 measure the isolates.
//
// Headlines: one `openStreamFilter` session per filter (µs per chunk per filter, 1 and 10
// filters, against the loop with none), `invoke` inlet then outlet per filter on the 20-message
// body (µs per request, 1 and 10 filters, against the chains with none), and `loadPlugin` of the
// Python source (ms). For diagnosis, in the same rotations: the chat pipeline's own steps
// (`openStreamChain`, `runBodyChain`), the floor of a process boundary (one bare Python process
// per filter that reads a JSON line, parses it and writes it back: no Sluice runtime, no plugin),
// and what the plugins' processes spent per crossing on a CPU and waiting for one.
//
// Confinement: the plugin processes run as the server would run them here. When the bench runs as
// root they run as `nobody`, the server's default PLUGIN_NODE_TIER_UID; in a network namespace of
// their own where `unshare` can make one. Where either is missing they run without it, and the
// report's `confinement` says what was used.

import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runBodyChain } from "../packages/server/src/core/run-body-chain.ts";
import type { LoadPluginOptions } from "../packages/server/src/plugins/load-plugin.ts";
import { loadPlugin } from "../packages/server/src/plugins/load-plugin.ts";
import { checkPythonSource } from "../packages/server/src/sandbox/python-tier/check-python-source.ts";
import { findPython, type PythonInterpreter } from "../packages/server/src/sandbox/python-tier/find-python.ts";
import { pythonLaunch } from "../packages/server/src/sandbox/python-tier/python-launch.ts";
import { PythonPluginSandbox } from "../packages/server/src/sandbox/python-tier/python-plugin-sandbox.ts";
import type { ChildUser } from "../packages/server/src/sandbox/node-tier/prepare-child-user.ts";
import { silentLogger } from "../packages/server/src/sandbox/sandbox-test-fixtures.ts";
import { throughSandboxes } from "./body-filters.ts";
import { loadFilterSandboxes, testContext, type FilterSandboxes } from "./filter-sandboxes.ts";
import { chatBody, pythonPassThroughFilter, streamChunk } from "./fixtures.ts";
import { alternating, nextTick, pairedDifference, summarise } from "./measure.ts";
import { openPipelineStep, throughSessions } from "./stream-filters.ts";

const FILTER_COUNTS = [1, 10] as const;
const REPEATS = 15;
// Fewer operations per repeat than the isolate figures: a crossing into a process costs more.
const CHUNKS_PER_REPEAT: Record<number, number> = { 1: 500, 10: 60 };
const REQUESTS_PER_REPEAT: Record<number, number> = { 1: 60, 10: 8 };
const LOADS = 9;
const ATTEMPTS = 3;
/** The server's default OS user for plugin processes when it runs as root (PLUGIN_NODE_TIER_UID). */
const NOBODY: ChildUser = { uid: 65534, gid: 65534 };

/** How the plugin processes are started and confined in this run. */
interface PythonTier {
  python: PythonInterpreter;
  dataDir: string;
  loadOptions: Partial<LoadPluginOptions>;
  confinement: Record<string, unknown>;
}

export async function benchPythonFilters(): Promise<Record<string, unknown>> {
  const python = await findPython(process.env.SLUICE_PYTHON?.trim() || "python3");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-bench-python-"));
  const incidents: string[] = [];
  let filters: FilterSandboxes | undefined;
  const floor: BareEcho[] = [];
  try {
    const loaded = await loadTier(python, dataDir);
    filters = loaded.filters;
    const tier = loaded.tier;
    // One bare process per filter, as the filters have.
    for (let index = 0; index < Math.max(...FILTER_COUNTS); index += 1) floor.push(await BareEcho.start(python.executable));
    const stream = await measureEach((count) => measureStream(filters!, floor, count), "stream", incidents);
    const body = await measureEach((count) => measureBody(filters!, floor, count), "inlet + outlet", incidents);
    filters.dispose();
    filters = undefined;
    const load = await measureColdLoad(tier);
    const bodyOfRequest = chatBody(20);
    return {
      confinement: tier.confinement,
      interpreter: { executable: python.executable, version: python.version, pydantic: python.pydanticVersion },
      stream: { perChunkPerFilter: stream.headline, details: stream.details },
      body: { addedPerRequestMicroseconds: body.headline, details: body.details },
      load,
      method: {
        plugin:
          "the pass-through filter as an Open WebUI function: class Filter, pydantic Valves, def inlet / stream / outlet (fixtures.ts pythonPassThroughFilter)",
        stream:
          "openStreamFilter session per filter, one Python process per filter; µs per chunk per filter = (loop with filters − same loop without) / filters, paired per repeat",
        body: "µs per request = (inlet chain + outlet chain through the filters) − (the same chains with no filters); PluginSandbox.invoke per filter per hook; paired per repeat",
        coldLoad: "loadPlugin(source) of the Python filter (source check, new process, runtime, plugin), fresh source each time",
        pluginProcess:
          "time on a CPU and time waiting on a run queue of the plugins' processes (all threads, /proc/<pid>/task/*/schedstat) over the whole rotation ÷ the crossings into them (headline and pipeline variants)",
        floor:
          "one bare Python process per filter (same interpreter, -I) that reads one JSON line, json.loads and json.dumps it back: one round trip per filter per chunk or per hook call",
        chunkBytes: JSON.stringify(streamChunk(" token 1 of the answer")).length,
        bodyBytes: JSON.stringify(bodyOfRequest).length,
        messages: bodyOfRequest.messages.length,
        chunksPerRepeat: CHUNKS_PER_REPEAT,
        requestsPerRepeat: REQUESTS_PER_REPEAT,
        repeats: REPEATS,
        loads: LOADS,
      },
      incidents,
    };
  } finally {
    filters?.dispose();
    for (const echo of floor) echo.dispose();
    await nextTick(100); // lets the killed processes go before their folders do
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Loads the filters as the server would load them here: as `nobody` when the bench runs as root,
 * else (or when that user cannot be used on this machine) as the bench's own user.
 */
async function loadTier(python: PythonInterpreter, dataDir: string): Promise<{ tier: PythonTier; filters: FilterSandboxes }> {
  const count = Math.max(...FILTER_COUNTS);
  const isRoot = process.getuid?.() === 0;
  const tierWith = async (user: ChildUser | undefined, userFallback?: string): Promise<PythonTier> => {
    const launch = await pythonLaunch(python, user, silentLogger);
    return {
      python,
      dataDir,
      // An admin's approval grants "python"; the bench plays that admin.
      loadOptions: { dataDir, isNodeGranted: true, nodeTierUser: user },
      confinement: {
        networkNamespace: launch.hasOwnNetwork,
        networkNamespaceNote: launch.hasOwnNetwork
          ? "unshare --net: the process has no network but its own loopback"
          : "unshare --net is not available here: the process shares the bench's network",
        osUser: user
          ? `uid ${user.uid}, gid ${user.gid} (nobody: the server's default when it runs as root)`
          : `the bench's own (uid ${process.getuid?.()})`,
        ...(userFallback && { osUserFallback: userFallback }),
        benchRunsAsRoot: isRoot,
      },
    };
  };
  if (isRoot) {
    const tier = await tierWith(NOBODY);
    try {
      return { tier, filters: await loadFilterSandboxes(count, { source: pythonPassThroughFilter, loadOptions: tier.loadOptions }) };
    } catch (error) {
      const why = `could not run the plugins as uid ${NOBODY.uid}: ${error instanceof Error ? error.message : String(error)}; ran them as the bench's own user`;
      const fallback = await tierWith(undefined, why);
      return {
        tier: fallback,
        filters: await loadFilterSandboxes(count, { source: pythonPassThroughFilter, loadOptions: fallback.loadOptions }),
      };
    }
  }
  const tier = await tierWith(undefined);
  return { tier, filters: await loadFilterSandboxes(count, { source: pythonPassThroughFilter, loadOptions: tier.loadOptions }) };
}

interface Measured {
  headline: ReturnType<typeof summarise>;
  details: Record<string, unknown>;
  /** Chunks or calls that failed (a chunk timeout, a lost process): the run is measured again. */
  failures: number;
}

/** Measures 1 and 10 filters, again (up to ATTEMPTS) when calls failed in the run. */
async function measureEach(measure: (count: number) => Promise<Measured>, what: string, incidents: string[]) {
  const headline: Record<string, ReturnType<typeof summarise>> = {};
  const details: Record<string, unknown> = {};
  for (const count of FILTER_COUNTS) {
    for (let attempt = 1; ; attempt += 1) {
      const measured = await measure(count);
      if (measured.failures === 0) {
        headline[`${count}`] = measured.headline;
        details[`filters${count}`] = measured.details;
        break;
      }
      incidents.push(`${what}, ${count} filters, attempt ${attempt}: ${measured.failures} call(s) failed mid-run; measured again`);
      if (attempt === ATTEMPTS) throw new Error(incidents.join("; "));
    }
  }
  return { headline, details };
}

/** The plugins' process ids (a Python-tier sandbox's running process). */
function pluginPids(filters: FilterSandboxes, count: number): number[] {
  return filters.sandboxes
    .slice(0, count)
    .map((sandbox) => (sandbox as Partial<PythonPluginSandbox>).processId)
    .filter((pid): pid is number => pid !== undefined);
}

/** Nanoseconds on a CPU and waiting for one (run queue), summed over the processes' threads; null when unreadable. */
function schedulerNanoseconds(pids: readonly number[]): { running: number; waiting: number } | null {
  if (pids.length === 0) return null;
  const total = { running: 0, waiting: 0 };
  try {
    for (const pid of pids) {
      for (const thread of fs.readdirSync(`/proc/${pid}/task`)) {
        // /proc/<pid>/task/<tid>/schedstat: time on a CPU, time waiting on a run queue (ns), slices run.
        const [running, waiting] = fs.readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ").map(Number);
        total.running += running!;
        total.waiting += waiting!;
      }
    }
  } catch {
    return null;
  }
  return total;
}

/**
 * What the plugins' processes (all their threads) spent per crossing while `work` ran: time on a
 * CPU and time ready but waiting for one. Beside the wall-clock figure, this tells the Python work
 * apart from waiting to be scheduled on a busy machine.
 */
async function pluginScheduling<T>(
  pids: number[],
  crossings: number,
  work: () => Promise<T>,
): Promise<{ result: T; scheduling: { cpuMicroseconds: number; runQueueWaitMicroseconds: number } | null }> {
  const before = schedulerNanoseconds(pids);
  const result = await work();
  const after = schedulerNanoseconds(pids);
  if (!before || !after) return { result, scheduling: null };
  const perCrossing = (nanoseconds: number) => Math.round(nanoseconds / 1000 / crossings);
  return {
    result,
    scheduling: {
      cpuMicroseconds: perCrossing(after.running - before.running),
      runQueueWaitMicroseconds: perCrossing(after.waiting - before.waiting),
    },
  };
}

/** Wraps a variant so that a failed pass-through (a dropped chunk, a failed call) is counted. */
function counting(variant: (index: number) => unknown, onFailure: () => void): (index: number) => unknown {
  const check = (output: unknown) => {
    if (output === null) onFailure();
    return output;
  };
  return (index) => {
    const output = variant(index);
    return output instanceof Promise ? output.then(check) : check(output);
  };
}

async function measureStream(filters: FilterSandboxes, floor: readonly BareEcho[], count: number): Promise<Measured> {
  const input = Array.from({ length: 1000 }, (_, index) => streamChunk(` token ${index} of the answer`));
  const chunkAt = (index: number) => input[index % input.length];
  const sessions = filters.sandboxes.slice(0, count).map((sandbox) => sandbox.openStreamFilter({ context: testContext }));
  await throughSessions(sessions, chunkAt(0)); // waits for the sessions to open
  const pipelineStep = await openPipelineStep(filters, count);
  await pipelineStep.apply(chunkAt(0));
  let failures = 0;
  const failed = () => (failures += 1);
  // Each chunk crosses into every filter's process once in `sessions` and once in `pipeline`.
  const crossings = 2 * CHUNKS_PER_REPEAT[count]! * REPEATS * count;
  const { result: series, scheduling } = await pluginScheduling(pluginPids(filters, count), crossings, () =>
    alternating(CHUNKS_PER_REPEAT[count]!, REPEATS, {
      baseline: (index) => throughSessions([], chunkAt(index)),
      sessions: counting((index) => throughSessions(sessions, chunkAt(index)), failed),
      pipeline: counting((index) => pipelineStep.apply(chunkAt(index)), failed),
      bareProcess: async (index) => {
        let current: unknown = chunkAt(index);
        for (let filter = 0; filter < count; filter += 1) current = await floor[filter]!.roundTrip(current);
        return current;
      },
    }),
  );
  for (const session of sessions) session.close();
  pipelineStep.close();
  const perFilter = (name: keyof typeof series) => pairedDifference(series[name], series.baseline, count);
  return {
    headline: perFilter("sessions"),
    details: {
      addedPerChunkMicroseconds: pairedDifference(series.sessions, series.baseline),
      baselinePerChunkMicroseconds: summarise(series.baseline),
      pipelinePerChunkPerFilterMicroseconds: perFilter("pipeline"),
      pipelinePath: pipelineStep.path,
      bareProcessPerChunkPerFilterMicroseconds: perFilter("bareProcess"),
      pluginProcessPerChunkPerFilter: scheduling,
    },
    failures,
  };
}

async function measureBody(filters: FilterSandboxes, floor: readonly BareEcho[], count: number): Promise<Measured> {
  const body = chatBody(20);
  const sandboxes = filters.sandboxes.slice(0, count);
  const { session, filters: requestFilters } = filters.pipeline(count, body.messages);
  const viaPipeline = async () => {
    const afterInlet = await runBodyChain(session, requestFilters, "inlet", body);
    return runBodyChain(session, requestFilters, "outlet", afterInlet);
  };
  let failures = 0;
  // A failed hook call throws, on either path: counted, and the run measured again.
  const failing = (chain: () => Promise<unknown>) => async () => {
    try {
      return await chain();
    } catch {
      failures += 1;
      return null;
    }
  };
  const sandbox = failing(() => throughSandboxes(sandboxes, body));
  const pipeline = failing(viaPipeline);
  for (let warmUp = 0; warmUp < 3; warmUp += 1) {
    await sandbox();
    await pipeline();
  }
  failures = 0;
  const hookCalls = 2 * count;
  // Each request makes one inlet and one outlet call into every filter's process in `sandbox` and in `pipeline`.
  const crossings = 2 * REQUESTS_PER_REPEAT[count]! * REPEATS * hookCalls;
  const { result: series, scheduling } = await pluginScheduling(pluginPids(filters, count), crossings, () =>
    alternating(REQUESTS_PER_REPEAT[count]!, REPEATS, {
      baseline: () => throughSandboxes([], body),
      sandbox,
      pipeline,
      bareProcess: async () => {
        let current: unknown = body;
        for (let call = 0; call < hookCalls; call += 1) current = await floor[call % count]!.roundTrip(current);
        return current;
      },
    }),
  );
  return {
    headline: pairedDifference(series.sandbox, series.baseline),
    details: {
      perRequestMicroseconds: summarise(series.sandbox),
      baselinePerRequestMicroseconds: summarise(series.baseline),
      perHookCallMicroseconds: pairedDifference(series.sandbox, series.baseline, hookCalls),
      pipelineAddedPerRequestMicroseconds: pairedDifference(series.pipeline, series.baseline),
      pipelinePerHookCallMicroseconds: pairedDifference(series.pipeline, series.baseline, hookCalls),
      bareProcessPerHookCallMicroseconds: pairedDifference(series.bareProcess, series.baseline, hookCalls),
      pluginProcessPerHookCall: scheduling,
    },
    failures,
  };
}

/** The same plugin with a different comment each time, so nothing could be reused between loads. */
function freshSource(index: number): string {
  return `${pythonPassThroughFilter}\n# load ${index} ${Date.now()}\n`;
}

async function timeMilliseconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Starts the interpreter with `code` and waits for it to exit. */
function runPython(executable: string, code: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(executable, ["-I", "-B", "-c", code], { env: {} }, (error) => (error ? reject(error) : resolve()));
  });
}

async function measureColdLoad(tier: PythonTier): Promise<Record<string, unknown>> {
  const { python, dataDir, loadOptions } = tier;
  const total: number[] = [];
  const check: number[] = [];
  const sandbox: number[] = [];
  const bareInterpreter: number[] = [];
  const bareWithPydantic: number[] = [];
  for (let index = 0; index < LOADS; index += 1) {
    bareInterpreter.push(await timeMilliseconds(() => runPython(python.executable, "pass")));
    bareWithPydantic.push(await timeMilliseconds(() => runPython(python.executable, "import pydantic")));
    const source = freshSource(index);
    check.push(await timeMilliseconds(() => checkPythonSource(source, python, `check_${index}`)));
    sandbox.push(
      await timeMilliseconds(async () => {
        const created = await PythonPluginSandbox.create(source, {
          pluginId: `load_${index}`,
          python: python.executable,
          installation: python,
          user: loadOptions.nodeTierUser,
          dataDir,
          host: {},
          logger: silentLogger,
        });
        created.sandbox.dispose();
      }),
    );
    total.push(
      await timeMilliseconds(async () => {
        const loaded = await loadPlugin(freshSource(index), { ...loadOptions, pluginId: `cold_${index}`, logger: silentLogger });
        loaded.sandbox.dispose();
      }),
    );
  }
  return {
    coldLoadMilliseconds: summarise(total),
    details: {
      sourceCheckMilliseconds: summarise(check),
      sandboxCreateMilliseconds: summarise(sandbox),
      bareInterpreterMilliseconds: summarise(bareInterpreter),
      bareInterpreterImportingPydanticMilliseconds: summarise(bareWithPydantic),
    },
  };
}

const ECHO = `import json, sys
while True:
    line = sys.stdin.readline()
    if not line:
        break
    sys.stdout.write(json.dumps(json.loads(line)) + "\\n")
    sys.stdout.flush()
`;

/** A bare Python process that echoes JSON lines: the floor of one round trip to a process. */
class BareEcho {
  readonly #child;
  #waiting: ((line: string) => void) | undefined;

  private constructor(executable: string) {
    this.#child = spawn(executable, ["-I", "-B", "-c", ECHO], { stdio: ["pipe", "pipe", "ignore"], env: {} });
    let partial = "";
    this.#child.stdout.setEncoding("utf8");
    this.#child.stdout.on("data", (text: string) => {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) this.#waiting?.(line);
    });
  }

  static async start(executable: string): Promise<BareEcho> {
    const echo = new BareEcho(executable);
    await echo.roundTrip({ ready: true });
    return echo;
  }

  roundTrip(value: unknown): Promise<unknown> {
    return new Promise((resolve) => {
      this.#waiting = (line) => resolve(JSON.parse(line));
      this.#child.stdin.write(`${JSON.stringify(value)}\n`);
    });
  }

  dispose(): void {
    this.#child.kill();
  }
}
