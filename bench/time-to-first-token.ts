// 4. Time to first token of one streaming chat at a time: the fake upstream directly (baseline)
// against Sluice with no plugins, with 3 pass-through filters, and with a pass-through pipe and
// the 3 filters. Real HTTP on loopback; the routes take turns, a different one first each round.

import { bareIsolates } from "./bare-isolates.ts";
import { percentile, round, summarise } from "./measure.ts";
import { chatAgent, ROUTE_DESCRIPTIONS, type Route, type SluiceUnderTest } from "./sluice-under-test.ts";
import { streamChat } from "./stream-chat.ts";

const ALL_ROUTES: Route[] = ["direct", "bareProxy", "sluiceNoPlugins", "sluiceFilters", "sluicePipe", "sluiceProxyPipe"];
const WARM_UP_ROUNDS = 15;
const ROUNDS = 80;

export async function benchTimeToFirstToken(sluice: SluiceUnderTest): Promise<Record<string, unknown>> {
  const ROUTES = ALL_ROUTES.filter((route) => !sluice.unavailable[route]);
  const agent = chatAgent();
  const timeToFirstToken = Object.fromEntries(ROUTES.map((route) => [route, [] as number[]])) as Record<Route, number[]>;
  const timeToDone = Object.fromEntries(ROUTES.map((route) => [route, [] as number[]])) as Record<Route, number[]>;
  const errors: string[] = [];
  try {
    for (let roundIndex = 0; roundIndex < WARM_UP_ROUNDS + ROUNDS; roundIndex += 1) {
      const order = ROUTES.map((_, index) => ROUTES[(index + roundIndex) % ROUTES.length]!);
      const times: Partial<Record<Route, { first: number; done: number }>> = {};
      for (const route of order) {
        const { url, model, token } = sluice.route(route);
        const chat = await streamChat(
          url,
          { model, messages: [{ role: "user", content: `hello ${roundIndex}` }] },
          { agent, token, deadlineMs: 10_000 },
        );
        if (chat.error || chat.firstTokenAt === null) {
          errors.push(`${route}: ${chat.error ?? "no token"}`);
          continue;
        }
        times[route] = { first: chat.firstTokenAt - chat.startedAt, done: chat.chunks.at(-1)!.arrivedAt - chat.startedAt };
      }
      if (roundIndex < WARM_UP_ROUNDS || ROUTES.some((route) => !times[route])) continue;
      for (const route of ROUTES) {
        timeToFirstToken[route].push(times[route]!.first);
        timeToDone[route].push(times[route]!.done);
      }
    }
  } finally {
    agent.destroy();
  }
  const routes: Record<string, unknown> = {};
  const addedMilliseconds: Record<string, ReturnType<typeof summarise>> = {};
  for (const route of ROUTES) {
    routes[route] = {
      description: ROUTE_DESCRIPTIONS[route],
      timeToFirstTokenMilliseconds: { ...summarise(timeToFirstToken[route]), p90: round(percentile(timeToFirstToken[route], 90)) },
      timeToLastTokenMilliseconds: summarise(timeToDone[route]),
    };
    // Paired by round: each round ran every route back to back.
    if (route !== "direct")
      addedMilliseconds[route] = summarise(timeToFirstToken[route].map((value, index) => value - timeToFirstToken.direct[index]!));
  }
  return {
    addedMilliseconds,
    routes,
    crossingFloor: await crossingsAfterIdle(),
    unavailableRoutes: sluice.unavailable,
    errors: errors.slice(0, 20),
    errorCount: errors.length,
    method: {
      headline:
        "added ms = per round, (time to first content chunk through Sluice) − (the same straight from the fake upstream); median over rounds",
      rounds: ROUNDS,
      warmUpRounds: WARM_UP_ROUNDS,
      request: "POST, stream: true, one user message, API caller (no chat_id: nothing saved); answer: 3 content chunks",
      pipe: "sluicePipe yields the same 3 pieces in its isolate, with no upstream hop; sluiceProxyPipe asks the fake upstream with ctx.fetch (stream: false: ctx.fetch returns whole bodies) and returns the answer",
    },
  };
}

/** Samples of each idle gap in {@link crossingsAfterIdle}. */
const IDLE_SAMPLES = 40;

/**
 * The floor of a filter's step on the way to the first token: one asynchronous crossing into a bare
 * isolate (bare-isolates.ts) that had nothing to do for a while, as a filter's isolate between
 * one user's requests (20 ms: the other routes of a round ran meanwhile) or between the steps of
 * one request (1 ms). With 3 filters a chat makes 9 such crossings in turn before its first token:
 * 3 inlets, then the upstream's role-only first chunk and its first content chunk through the 3
 * stream hooks.
 */
async function crossingsAfterIdle(): Promise<Record<string, unknown>> {
  const bare = await bareIsolates(1);
  try {
    const samples: Record<string, number[]> = { "1": [], "20": [] };
    for (let sample = 0; sample < IDLE_SAMPLES; sample += 1) {
      for (const idleMs of [1, 20]) samples[`${idleMs}`]!.push(await bare.crossingAfterIdle(idleMs));
    }
    return {
      description:
        "µs of one asynchronous isolated-vm crossing into a bare isolate idle for 1 and 20 ms before it (bench process, not the server)",
      afterIdleMicroseconds: { "1": summarise(samples["1"]!), "20": summarise(samples["20"]!) },
    };
  } finally {
    bare.dispose();
  }
}
