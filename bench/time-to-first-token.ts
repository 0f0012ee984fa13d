// 4. Time to first token of one streaming chat at a time: the fake upstream directly (baseline)
// against Sluice with no plugins, with 3 pass-through filters, and with a pass-through pipe and
// the 3 filters. Real HTTP on loopback; the routes take turns, a different one first each round.

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
