// 5. 500 concurrent streaming chats, each 200 chunks 50 ms apart (10 s, the fake upstream's
// "slow" answer), straight from the fake upstream (baseline) and through Sluice: with the 3
// pass-through filters in front of the upstream, and with the pass-through pipe (which paces the
// same 200 chunks itself) and the 3 filters; and through the bare Node proxy (bench/bare-proxy.ts,
// as many processes as Sluice's): the floor of any Node server in front of the upstream under this
// load on this machine. Loopback only; every chat has a deadline.
//
// Latency per chunk = when the client got it − when its source sent it. For the upstream routes
// the fake upstream runs in this process, so its writes are timed on the client's clock (a
// wrapper on ServerResponse#write while this benchmark runs). The pipe stamps each chunk with
// Date.now() (whole milliseconds, so +0.5 ms is added to the stamp).

import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { FakeUpstream } from "../packages/server/test/helpers/fake-upstream.ts";
import { barePipelineCpu } from "./bare-isolates.ts";
import { percentile, round } from "./measure.ts";
import { chatAgent, processCpuSeconds, ROUTE_DESCRIPTIONS, serverWarnings, type Route, type SluiceUnderTest } from "./sluice-under-test.ts";
import { epochNow, streamChat, type StreamedChat } from "./stream-chat.ts";

const CHATS = 500;
const CHUNKS_PER_CHAT = 200;
/** The chats start evenly spread over this long (all 500 are running together for ~9 s). */
const RAMP_MS = 1000;
const DEADLINE_MS = 25_000;
const ALL_ROUTES: Route[] = ["direct", "bareProxy", "sluiceNoPlugins", "sluiceFilters", "sluicePipe"];
/** `BENCH_CONCURRENT_ROUTES=direct,sluiceFilters` runs only those (with --profile: one route's profile). */
const ROUTES = process.env.BENCH_CONCURRENT_ROUTES
  ? ALL_ROUTES.filter((route) => route === "direct" || process.env.BENCH_CONCURRENT_ROUTES!.split(",").includes(route))
  : ALL_ROUTES;

interface SendRecorder {
  /** Epoch ms of each content frame the fake upstream wrote for the chat whose message is `tag`. */
  sendTimes(tag: string): number[];
  uninstall(): void;
}

/** Times the fake upstream's content writes, per chat (found by the chat's own user message). */
function recordUpstreamSends(fake: FakeUpstream): SendRecorder {
  const times = new Map<string, number[]>();
  const tags = new WeakMap<object, string>();
  const tagOf = (response: http.ServerResponse): string | undefined => {
    const headers = response.req?.headers;
    if (!headers) return undefined;
    let tag = tags.get(headers);
    if (tag !== undefined) return tag;
    for (let index = fake.requests.length - 1; index >= 0; index -= 1) {
      const recorded = fake.requests[index]!;
      if (recorded.headers !== headers) continue;
      const messages = (recorded.body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages;
      tag = String(messages?.at(-1)?.content ?? "");
      tags.set(headers, tag);
      return tag;
    }
    return undefined;
  };
  const write = http.OutgoingMessage.prototype.write;
  const recordingWrite = function (this: http.ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === "string" && chunk.startsWith("data: ") && chunk.includes('"content":"tick ')) {
      const sentAt = epochNow();
      const tag = tagOf(this);
      if (tag !== undefined) {
        let list = times.get(tag);
        if (!list) times.set(tag, (list = []));
        list.push(sentAt);
      }
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  };
  Object.defineProperty(http.ServerResponse.prototype, "write", { value: recordingWrite, configurable: true, writable: true });
  return {
    sendTimes: (tag) => times.get(tag) ?? [],
    uninstall: () => {
      delete (http.ServerResponse.prototype as { write?: unknown }).write;
    },
  };
}

interface RouteRun {
  description: string;
  chats: number;
  errors: number;
  errorSamples: string[];
  /** Chats that ended without error but with fewer chunks than sent. */
  shortChats: number;
  chunks: number;
  chunksPerSecond: number;
  wallSeconds: number;
  latencyMilliseconds: { p50: number; p90: number; p99: number; max: number; samples: number };
  timeToFirstTokenMilliseconds: { p50: number; p99: number };
  /** Chunks the client should have had but did not: 200 per chat minus those received. */
  missingChunks: number;
  serverCpuCores: number | null;
  /** Server CPU per chunk delivered, µs. */
  serverCpuMicrosecondsPerChunk: number | null;
  serverWarnings: Record<string, number>;
  clientProcessCpuCores: number;
  clientEventLoopDelayP99Milliseconds: number;
}

async function runRoute(sluice: SluiceUnderTest, route: Route, recorder: SendRecorder): Promise<RouteRun> {
  const { url, model, token } = sluice.route(route);
  const agent = chatAgent();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const serverPids = route === "bareProxy" ? sluice.bareProxy.pids : sluice.serverPids;
  const serverCpuBefore = route === "direct" ? null : processCpuSeconds(serverPids);
  const clientCpuBefore = process.cpuUsage();
  loopDelay.enable();
  const started = epochNow();
  const tags: string[] = [];
  const running: Array<Promise<StreamedChat>> = [];
  for (let index = 0; index < CHATS; index += 1) {
    const due = started + (index * RAMP_MS) / CHATS;
    const wait = due - epochNow();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const tag = `slow ${route} #${index}`;
    tags.push(tag);
    running.push(streamChat(url, { model, messages: [{ role: "user", content: tag }] }, { agent, token, deadlineMs: DEADLINE_MS }));
  }
  const chats = await Promise.all(running);
  const ended = epochNow();
  loopDelay.disable();
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpuAfter = route === "direct" ? null : processCpuSeconds(serverPids);
  agent.destroy();

  const wallSeconds = (ended - started) / 1000;
  const latencies: number[] = [];
  const firstTokens: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  let shortChats = 0;
  let chunks = 0;
  chats.forEach((chat, index) => {
    chunks += chat.chunks.length;
    if (chat.firstTokenAt !== null) firstTokens.push(chat.firstTokenAt - chat.startedAt);
    if (chat.error) {
      errors += 1;
      if (errorSamples.size < 5) errorSamples.add(chat.error);
      return;
    }
    if (chat.chunks.length < CHUNKS_PER_CHAT) shortChats += 1;
    if (route === "sluicePipe") {
      for (const chunk of chat.chunks) {
        const stamp = Number(/^t(\d+)/.exec(chunk.content)?.[1]);
        if (Number.isFinite(stamp)) latencies.push(chunk.arrivedAt - (stamp + 0.5));
      }
      return;
    }
    const sent = recorder.sendTimes(tags[index]!);
    const pairs = Math.min(sent.length, chat.chunks.length);
    for (let position = 0; position < pairs; position += 1) latencies.push(chat.chunks[position]!.arrivedAt - sent[position]!);
  });
  const at = (values: number[], p: number) => round(percentile(values, p));
  const serverCpuSeconds = serverCpuBefore === null || serverCpuAfter === null ? null : serverCpuAfter - serverCpuBefore;
  return {
    description: ROUTE_DESCRIPTIONS[route],
    chats: CHATS,
    errors,
    errorSamples: [...errorSamples],
    shortChats,
    chunks,
    chunksPerSecond: Math.round(chunks / wallSeconds),
    wallSeconds: round(wallSeconds),
    latencyMilliseconds: {
      p50: at(latencies, 50),
      p90: at(latencies, 90),
      p99: at(latencies, 99),
      max: at(latencies, 100),
      samples: latencies.length,
    },
    timeToFirstTokenMilliseconds: { p50: at(firstTokens, 50), p99: at(firstTokens, 99) },
    missingChunks: CHATS * CHUNKS_PER_CHAT - chunks,
    serverCpuCores: serverCpuSeconds === null ? null : round(serverCpuSeconds / wallSeconds),
    serverCpuMicrosecondsPerChunk: serverCpuSeconds === null || chunks === 0 ? null : Math.round((serverCpuSeconds * 1e6) / chunks),
    serverWarnings: route === "direct" || route === "bareProxy" ? {} : serverWarnings(sluice.server, started - 1, ended + 1),
    clientProcessCpuCores: round((clientCpu.user + clientCpu.system) / 1e6 / wallSeconds),
    clientEventLoopDelayP99Milliseconds: round(loopDelay.percentile(99) / 1e6),
  };
}

export async function benchConcurrentChats(sluice: SluiceUnderTest): Promise<Record<string, unknown>> {
  const recorder = recordUpstreamSends(sluice.fake);
  const routes: Partial<Record<Route, RouteRun>> = {};
  try {
    for (const route of ROUTES) {
      process.stderr.write(`bench:   ${CHATS} chats, ${route}…\n`);
      routes[route] = await runRoute(sluice, route, recorder);
    }
  } finally {
    recorder.uninstall();
  }
  // The floor of the server CPU per chunk on the pipe route: any Node proxy's (the bare proxy's,
  // above) plus four bare isolates (the pipe and 3 filters) under the same streams per process.
  process.stderr.write(`bench:   the same streams through 4 bare isolates…\n`);
  const barePipeline = await barePipelineCpu({
    stages: 4,
    responses: Math.round(CHATS / Math.max(sluice.serverPids.length, 1)),
    intervalMs: 50,
    seconds: 6,
  });
  const bareProxyCpu = routes.bareProxy?.serverCpuMicrosecondsPerChunk ?? null;
  const direct = routes.direct!;
  const added = (route: Route) => {
    const run = routes[route];
    if (!run) return null;
    return {
      p50: round(run.latencyMilliseconds.p50 - direct.latencyMilliseconds.p50),
      p99: round(run.latencyMilliseconds.p99 - direct.latencyMilliseconds.p99),
    };
  };
  return {
    headline: routes.sluicePipe && {
      route: "sluicePipe",
      errors: routes.sluicePipe.errors + routes.sluicePipe.shortChats,
      missingChunks: routes.sluicePipe.missingChunks,
      chunksPerSecond: routes.sluicePipe.chunksPerSecond,
      addedLatencyMilliseconds: added("sluicePipe"),
    },
    addedLatencyMilliseconds: {
      bareProxy: added("bareProxy"),
      sluiceNoPlugins: added("sluiceNoPlugins"),
      sluiceFilters: added("sluiceFilters"),
      sluicePipe: added("sluicePipe"),
    },
    serverCpuFloor: {
      description:
        "µs of CPU per chunk that the pipe route cannot go below on this machine: the bare proxy's (bareProxy route) plus 4 bare isolates (the pipe and 3 filters) passing each chunk's JSON under the same streams per server process, in this bench process",
      bareProxyMicrosecondsPerChunk: bareProxyCpu,
      bareIsolates: barePipeline,
      microsecondsPerChunk: bareProxyCpu === null ? null : Math.round((bareProxyCpu + barePipeline.cpuMicrosecondsPerChunk) * 10) / 10,
    },
    // The proxy pipe is left out: ctx.fetch hands over whole bodies, so it cannot stream 200 chunks.
    routes,
    method: {
      chats: CHATS,
      chunksPerChat: CHUNKS_PER_CHAT,
      chunkIntervalMs: 50,
      rampMs: RAMP_MS,
      deadlineMs: DEADLINE_MS,
      latency:
        "per content chunk: client arrival − source send (upstream routes: the fake upstream's write, same process and clock; pipe route: Date.now() stamped in the isolate + 0.5 ms); added = route percentile − direct percentile",
      errors:
        "chats with an HTTP error, an error frame, a cut stream or past the deadline; shortChats ended cleanly with fewer than 200 chunks (the headline counts both)",
      cpu: "server: /proc/<pid>/stat user+system seconds over the run ÷ wall seconds; client: this process (the client and the fake upstream)",
    },
  };
}
