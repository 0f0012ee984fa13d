// 2. inlet + outlet through 1 and 10 sandboxed filters on a 20-message chat body, per request,
// against the same chain with no filters.
//
// Headline: `sandbox.invoke` per filter per hook (the only path for body hooks: one asynchronous
// crossing per call). For diagnosis, the chat pipeline's `runBodyChain` (the body handed on as
// JSON text, an unchanged body not crossing back), the JSON passes of a hook call done on the
// host, and the floor: bare isolates reached by an asynchronous `apply` that parse the body's text
// and answer "unchanged", one crossing per hook call (bare-isolates.ts).

import { runBodyChain } from "../packages/server/src/core/run-body-chain.ts";
import { bareIsolates, type BareIsolates } from "./bare-isolates.ts";
import { loadFilterSandboxes, testContext, type FilterSandbox, type FilterSandboxes } from "./filter-sandboxes.ts";
import { chatBody } from "./fixtures.ts";
import { alternating, pairedDifference, summarise } from "./measure.ts";

const FILTER_COUNTS = [1, 10] as const;
const REPEATS = 15;
const REQUESTS_PER_REPEAT: Record<number, number> = { 1: 200, 10: 25 };
const ATTEMPTS = 3;

type Body = ReturnType<typeof chatBody>;

export async function throughSandboxes(sandboxes: readonly FilterSandbox[], body: Body): Promise<Body> {
  let current = body;
  for (const hook of ["inlet", "outlet"] as const) {
    for (const sandbox of sandboxes) {
      const result = await sandbox.invoke({ hook, payload: current, context: testContext });
      if (!result.ok) throw result.error;
      current = result.value as Body;
    }
  }
  return current;
}

export async function benchBodyFilters(): Promise<Record<string, unknown>> {
  const filters = await loadFilterSandboxes(Math.max(...FILTER_COUNTS));
  const bare = await bareIsolates(Math.max(...FILTER_COUNTS));
  try {
    const addedPerRequestMicroseconds: Record<string, ReturnType<typeof summarise>> = {};
    const details: Record<string, unknown> = {};
    const incidents: string[] = [];
    for (const count of FILTER_COUNTS) {
      for (let attempt = 1; ; attempt += 1) {
        const measured = await measure(filters, bare, count);
        const broken = await filters.repair();
        if (broken.length === 0) {
          addedPerRequestMicroseconds[`${count}`] = measured.added;
          details[`filters${count}`] = measured.details;
          break;
        }
        incidents.push(
          `${count} filters, attempt ${attempt}: isolate(s) ${broken.join(", ")} disposed with PLUGIN_TIMEOUT mid-run; measured again`,
        );
        if (attempt === ATTEMPTS) throw new Error(incidents.join("; "));
      }
    }
    const body = chatBody(20);
    return {
      addedPerRequestMicroseconds,
      method: {
        headline:
          "µs per request = (inlet chain + outlet chain through the filters) − (the same chains with no filters); PluginSandbox.invoke per filter per hook; paired per repeat",
        bodyBytes: JSON.stringify(body).length,
        messages: body.messages.length,
        requestsPerRepeat: REQUESTS_PER_REPEAT,
        repeats: REPEATS,
      },
      details,
      incidents,
    };
  } finally {
    bare.dispose();
    filters.dispose();
  }
}

async function measure(filters: FilterSandboxes, bare: BareIsolates, count: number) {
  const body = chatBody(20);
  const bodyText = JSON.stringify(body);
  const sandboxes = filters.sandboxes.slice(0, count);
  // The pipeline's plugin session carries the request's messages into every hook's context, as a chat does.
  const { session, filters: requestFilters } = filters.pipeline(count, body.messages);
  const viaPipeline = async () => {
    const afterInlet = await runBodyChain(session, requestFilters, "inlet", body);
    return runBodyChain(session, requestFilters, "outlet", afterInlet);
  };
  for (let warmUp = 0; warmUp < 3; warmUp += 1) {
    // Two quick calls per hook enable the synchronous path.
    await throughSandboxes(sandboxes, body);
    await viaPipeline();
  }
  const series = await alternating(REQUESTS_PER_REPEAT[count]!, REPEATS, {
    baseline: () => throughSandboxes([], body),
    sandbox: () => throughSandboxes(sandboxes, body),
    pipeline: viaPipeline,
    // The floor of copying the body: the four JSON passes of one hook call (host out, isolate in,
    // isolate out, host in), done here on the host for each hook call of the chain.
    bareAsyncCrossings: () => bare.body(count, JSON.stringify(body)),
    jsonPasses: () => {
      for (let call = 0; call < 2 * count; call += 1) JSON.parse(JSON.stringify(JSON.parse(JSON.stringify(JSON.parse(bodyText)))));
    },
  });
  const hookCalls = 2 * count;
  return {
    added: pairedDifference(series.sandbox, series.baseline),
    details: {
      perRequestMicroseconds: summarise(series.sandbox),
      baselinePerRequestMicroseconds: summarise(series.baseline),
      perHookCallMicroseconds: pairedDifference(series.sandbox, series.baseline, hookCalls),
      pipelineAddedPerRequestMicroseconds: pairedDifference(series.pipeline, series.baseline),
      pipelinePerHookCallMicroseconds: pairedDifference(series.pipeline, series.baseline, hookCalls),
      jsonPassesPerHookCallMicroseconds: pairedDifference(series.jsonPasses, series.baseline, hookCalls),
      // The floor under the rule that plugin code never runs on the server's thread: one bare asynchronous crossing per hook call carrying the body's text.
      bareAsyncCrossingsAddedPerRequestMicroseconds: pairedDifference(series.bareAsyncCrossings, series.baseline),
      bareAsyncCrossingPerHookCallMicroseconds: pairedDifference(series.bareAsyncCrossings, series.baseline, hookCalls),
    },
  };
}
