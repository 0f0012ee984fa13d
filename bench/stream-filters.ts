// 1. Per-chunk cost of 1 and 10 sandboxed stream filters, against the same loop with none.
//
// Headline: one `openStreamFilter` session per filter per response, one response at a time (every
// chunk is one asynchronous crossing into each filter's isolate). For diagnosis, in the same
// rotation: the chat pipeline's own stream step (whatever filter-chain.ts does at this commit), one
// `invoke` per chunk per filter (the general hook call), 100 responses at once (their chunks cross
// together), the same filter declaring `streamTextOnly`, and the floors: bare isolates reached by
// an asynchronous `apply` that parse the chunk's JSON text and stringify it back, one chunk per
// crossing and 100 per crossing (bare-isolates.ts), and a bare *synchronous* crossing, which plugin
// code may no longer use (it would run on the server's thread).

import ivm from "isolated-vm";
import { SluiceError, type StreamEvent } from "@sluice/sdk";
import { openStreamChain } from "../packages/server/src/core/open-stream-chain.ts";
import type { StreamFilterSession } from "../packages/server/src/sandbox/host/stream-filter-session.ts";
import { silentLogger } from "../packages/server/src/sandbox/sandbox-test-fixtures.ts";
import { bareIsolates, type BareIsolates } from "./bare-isolates.ts";
import { loadFilterSandboxes, testContext, type FilterSandboxes } from "./filter-sandboxes.ts";
import { passThroughFilter, streamChunk } from "./fixtures.ts";
import { alternating, nextTick, pairedDifference, summarise } from "./measure.ts";

const FILTER_COUNTS = [1, 10] as const;
const REPEATS = 15;
const CHUNKS_PER_REPEAT: Record<number, number> = { 1: 2000, 10: 300 };
const ATTEMPTS = 3;
/** Responses streaming at once in the "concurrent" variant: their chunks wait behind each other's and cross together. */
const CONCURRENT_RESPONSES = 100;
/** The same filter, declaring that its stream hook reads only the text (`streamTextOnly`). */
const textOnlyFilter = passThroughFilter.replace("export default defineFilter({", "export default defineFilter({\n  streamTextOnly: true,");

type Chunk = Record<string, unknown>;

/** Distinct chunk objects, as a parsed upstream stream would give (none contains what the filter replaces). */
function chunks(count: number): Chunk[] {
  return Array.from({ length: count }, (_, index) => streamChunk(` token ${index} of the answer`));
}

/** One chunk through the sessions in order, synchronously as long as every session answers synchronously. */
export function throughSessions(sessions: readonly StreamFilterSession[], chunk: unknown): unknown {
  let current = chunk;
  for (let index = 0; index < sessions.length; index += 1) {
    const output = sessions[index]!.transform(current);
    if (output instanceof Promise) return finishAsync(sessions, index, output);
    if (output === null || SluiceError.isInstance(output)) return null;
    current = output;
  }
  return current;
}

async function finishAsync(sessions: readonly StreamFilterSession[], index: number, pending: Promise<unknown>): Promise<unknown> {
  const output = await pending;
  if (output === null || SluiceError.isInstance(output)) return null;
  return throughSessions(sessions.slice(index + 1), output);
}

interface PipelineStep {
  path: string;
  apply(chunk: unknown): unknown;
  close(): void;
}

/** The chat pipeline's stream step for `count` filters: `openStreamChain` (a stream hook session per filter per response). */
export async function openPipelineStep(filters: FilterSandboxes, count: number): Promise<PipelineStep> {
  const { session, filters: requestFilters } = filters.pipeline(count, []);
  const opened = await openStreamChain(silentLogger, session, requestFilters);
  return {
    path: "openStreamChain (a stream hook session per filter per response)",
    apply: (chunk) => opened.apply(chunk as StreamEvent),
    close: () => opened.close(),
  };
}

/** A bare isolate whose function parses the chunk text and stringifies it back: one crossing, no Sluice. */
async function bareCrossing(): Promise<{ apply(chunk: unknown): unknown; dispose(): void }> {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const roundTrip: ivm.Reference = await context.eval("(function (json) { return JSON.stringify(JSON.parse(json)); })", {
    reference: true,
  });
  return {
    apply: (chunk) => JSON.parse(roundTrip.applySync(undefined, [JSON.stringify(chunk)], { timeout: 100 }) as string),
    dispose: () => isolate.dispose(),
  };
}

export async function benchStreamFilters(): Promise<Record<string, unknown>> {
  const filters = await loadFilterSandboxes(Math.max(...FILTER_COUNTS));
  const textOnly = await loadFilterSandboxes(Math.max(...FILTER_COUNTS), { source: textOnlyFilter });
  const floor = await bareCrossing();
  const bare = await bareIsolates(Math.max(...FILTER_COUNTS));
  try {
    const perChunkPerFilter: Record<string, ReturnType<typeof summarise>> = {};
    const details: Record<string, unknown> = {};
    const incidents: string[] = [];
    for (const count of FILTER_COUNTS) {
      for (let attempt = 1; ; attempt += 1) {
        const measured = await measure(filters, textOnly, floor, bare, count);
        const broken = [...(await filters.repair()), ...(await textOnly.repair())];
        if (broken.length === 0) {
          perChunkPerFilter[`${count}`] = measured.perChunkPerFilter;
          details[`filters${count}`] = measured.details;
          break;
        }
        incidents.push(
          `${count} filters, attempt ${attempt}: isolate(s) ${broken.join(", ")} disposed with PLUGIN_TIMEOUT mid-run; measured again`,
        );
        if (attempt === ATTEMPTS) throw new Error(incidents.join("; "));
      }
    }
    return {
      perChunkPerFilter,
      method: {
        headline:
          "openStreamFilter session per filter, one response at a time (one asynchronous crossing per chunk per filter); µs per chunk per filter = (loop with filters − same loop without) / filters, paired per repeat",
        chunkBytes: JSON.stringify(streamChunk(" token 1 of the answer")).length,
        chunksPerRepeat: CHUNKS_PER_REPEAT,
        repeats: REPEATS,
      },
      details,
      incidents,
    };
  } finally {
    floor.dispose();
    bare.dispose();
    filters.dispose();
    textOnly.dispose();
  }
}

async function measure(
  filters: FilterSandboxes,
  textOnly: FilterSandboxes,
  floor: { apply(chunk: unknown): unknown },
  bare: BareIsolates,
  count: number,
) {
  const input = chunks(1000);
  const chunkAt = (index: number) => input[index % input.length];
  const sandboxes = filters.sandboxes.slice(0, count);

  const sessions = sandboxes.map((sandbox) => sandbox.openStreamFilter({ context: testContext }));
  await throughSessions(sessions, chunkAt(0)); // waits for the sessions to open
  const textOnlySessions = textOnly.sandboxes.slice(0, count).map((sandbox) => sandbox.openStreamFilter({ context: testContext }));
  await throughSessions(textOnlySessions, chunkAt(0));
  // Many responses through the same filters: a session per filter per response, as the server opens them.
  const responses = Array.from({ length: CONCURRENT_RESPONSES }, () =>
    sandboxes.map((sandbox) => sandbox.openStreamFilter({ context: testContext })),
  );
  await Promise.all(responses.map((response) => throughSessions(response, chunkAt(0))));
  const pipelineStep = await openPipelineStep(filters, count);
  await pipelineStep.apply(chunkAt(0));
  await nextTick(5); // lets the isolates be seen idle, so chunks cross synchronously
  const isSynchronous = !(throughSessions(sessions, chunkAt(1)) instanceof Promise);

  const series = await alternating(CHUNKS_PER_REPEAT[count]!, REPEATS, {
    baseline: (index) => throughSessions([], chunkAt(index)),
    sessions: (index) => throughSessions(sessions, chunkAt(index)),
    pipeline: (index) => pipelineStep.apply(chunkAt(index)),
    textOnly: (index) => throughSessions(textOnlySessions, chunkAt(index)),
    // One operation: a chunk of each of the responses at once (per chunk: divided below).
    concurrent: (index) => Promise.all(responses.map((response) => throughSessions(response, chunkAt(index)))),
    invoke: async (index) => {
      let current: unknown = chunkAt(index);
      for (const sandbox of sandboxes) {
        const result = await sandbox.invoke({ hook: "stream", payload: current, context: testContext });
        if (!result.ok) return null;
        current = result.value;
      }
      return current;
    },
    bareAsyncCrossing: (index) => bare.chunk(count, chunkAt(index)),
    // One operation: CONCURRENT_RESPONSES chunks through the bare isolates, one crossing per isolate for all of them.
    bareAsyncBatched: (index) =>
      bare.chunks(
        count,
        responses.map((_, response) => chunkAt(index + response)),
      ),
    bareCrossing: (index) => {
      let current: unknown = chunkAt(index);
      for (let filter = 0; filter < count; filter += 1) current = floor.apply(current);
      return current;
    },
  });
  for (const session of [...sessions, ...textOnlySessions, ...responses.flat()]) session.close();
  pipelineStep.close();

  const perFilter = (name: keyof typeof series) => pairedDifference(series[name], series.baseline, count);
  return {
    perChunkPerFilter: perFilter("sessions"),
    details: {
      addedPerChunkMicroseconds: pairedDifference(series.sessions, series.baseline),
      baselinePerChunkMicroseconds: summarise(series.baseline),
      sessionsCrossedSynchronously: isSynchronous,
      pipelinePerChunkPerFilterMicroseconds: perFilter("pipeline"),
      pipelinePath: pipelineStep.path,
      invokePerChunkPerFilterMicroseconds: perFilter("invoke"),
      // The floors under the rule that plugin code never runs on the server's thread (bare-isolates.ts).
      bareAsyncCrossingPerChunkPerFilterMicroseconds: perFilter("bareAsyncCrossing"),
      bareAsyncBatchedPerChunkPerFilterMicroseconds: summarise(
        series.bareAsyncBatched.map((value) => value / CONCURRENT_RESPONSES / count),
      ),
      // A synchronous crossing (applySync), which that rule rules out: what the floor was before it.
      bareCrossingPerChunkPerFilterMicroseconds: perFilter("bareCrossing"),
      // The same filter with streamTextOnly: only the chunk's text crosses.
      textOnlyPerChunkPerFilterMicroseconds: perFilter("textOnly"),
      // CONCURRENT_RESPONSES responses at once: chunks waiting behind a crossing go into the next one together.
      concurrentPerChunkPerFilterMicroseconds: summarise(series.concurrent.map((value) => value / CONCURRENT_RESPONSES / count)),
      concurrentResponses: CONCURRENT_RESPONSES,
    },
  };
}
