// A real Sluice server process (the integration tests' startServer) in front of the tests' fake
// OpenAI-compatible upstream, set up with the plugins the end-to-end benchmarks chat through.
// The fake upstream runs in this process, so its send times and the client's receive times
// share one clock.

import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signUpAdmin } from "../packages/server/test/helpers/accounts.ts";
import { api } from "../packages/server/test/helpers/api.ts";
import { startFakeUpstream, type FakeUpstream } from "../packages/server/test/helpers/fake-upstream.ts";
import { startServer, type RunningServer } from "../packages/server/test/helpers/start-server.ts";
import { autoProcessCount } from "../packages/server/src/process/server-processes.ts";
import { passThroughFilter, passThroughPipe, proxyPipe } from "./fixtures.ts";

/** Where a chat goes: the upstream directly, or Sluice with or without plugins in the way. */
export type Route = "direct" | "bareProxy" | "sluiceNoPlugins" | "sluiceFilters" | "sluicePipe" | "sluiceProxyPipe";

export const ROUTE_DESCRIPTIONS: Record<Route, string> = {
  direct: "the fake upstream directly (baseline)",
  bareProxy: "a bare Node proxy (bench/bare-proxy.ts: no auth, database or plugins) → fake upstream: the floor of any Node server in front",
  sluiceNoPlugins: "Sluice → fake upstream, no plugins",
  sluiceFilters: "Sluice → fake upstream, 3 pass-through filters (inlet, stream, outlet)",
  sluicePipe: "Sluice, pass-through pipe (streams in the sandbox, no upstream) + the 3 filters",
  sluiceProxyPipe: "Sluice, proxy pipe (ctx.fetch to the fake upstream, whole answer) + the 3 filters",
};

export interface SluiceUnderTest {
  fake: FakeUpstream;
  server: RunningServer;
  /** The bare proxy (the `bareProxy` route): as many processes as the server's, and their ids. */
  bareProxy: { url: string; pids: number[]; stop(): void };
  /** The server processes' ids (`npm start` runs one per two cores with Redis), for their CPU time. */
  serverPids: number[];
  /** URL, model and token of each route. */
  route(route: Route): { url: string; model: string; token?: string };
  /** Routes that could not be set up (the proxy pipe needs ctx.fetch), with the reason. */
  unavailable: Partial<Record<Route, string>>;
  close(): Promise<void>;
}

const FILTER_IDS = ["bench_filter_1", "bench_filter_2", "bench_filter_3"];
const PIPE_ID = "bench_pipe";
const PROXY_PIPE_ID = "bench_proxy_pipe";

async function expectOk(response: Promise<{ status: number; body: unknown }>, what: string): Promise<void> {
  const { status, body } = await response;
  if (status !== 200) throw new Error(`${what} failed with ${status}: ${JSON.stringify(body)}`);
}

/** The processes whose parent is `parentPid` and that run main.ts: the supervisor's server processes. */
function findServerPids(parentPid: number): number[] {
  return findChildPids(parentPid, "main.ts");
}

/** The processes whose parent is `parentPid` and whose command line includes `script`. */
function findChildPids(parentPid: number, script: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === parentPid && fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(script)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

/** CPU seconds (user + system) the processes have used so far, together; null when unreadable. */
export function processCpuSeconds(pids: readonly number[]): number | null {
  if (pids.length === 0) return null;
  let seconds = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime (fields 14 and 15 of stat) in clock ticks of 1/100 s on Linux.
      seconds += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  }
  return seconds;
}

/**
 * The server's warnings and errors logged between two epoch-ms times, counted by message (and
 * error code). Only what the last 64 KB of its output still holds (startServer keeps that much).
 */
export function serverWarnings(server: RunningServer, from: number, to: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of server.output().split("\n")) {
    if (!line.startsWith("{")) continue;
    let entry: { level?: number; time?: number; msg?: string; err?: { code?: string } };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if ((entry.level ?? 0) < 40 || (entry.time ?? 0) < from || (entry.time ?? 0) > to) continue;
    const key = `${entry.msg ?? "?"}${entry.err?.code ? ` (${entry.err.code})` : ""}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export interface SluiceUnderTestOptions {
  /** Run the server with --cpu-prof, writing its profile here when it stops. */
  profileDirectory?: string;
  /** `SLUICE_PROCESSES` of the server, run as `npm start` runs it, with Redis (`BENCH_PROCESSES`; `auto` by default). */
  processes?: string;
}

export async function startSluiceUnderTest(options: SluiceUnderTestOptions = {}): Promise<SluiceUnderTest> {
  const fake = await startFakeUpstream();
  let server: RunningServer;
  try {
    // Private network allowed for the proxy pipe's ctx.fetch to the loopback upstream.
    const env: Record<string, string> = { OPENAI_API_BASE_URL: fake.baseUrl, LOG_LEVEL: "warn", PLUGIN_ALLOW_PRIVATE_NETWORK: "true" };
    if (options.profileDirectory) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${options.profileDirectory}`;
    // As `npm start` runs it with Redis: `auto` server processes (one per two cores), sharing the port and the database.
    env.REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
    env.REDIS_KEY_PREFIX = `sluice-bench-${process.pid}`;
    env.SLUICE_PROCESSES = options.processes ?? "auto";
    server = await startServer({ kind: "sqlite", env, script: "supervise" });
    const expected = env.SLUICE_PROCESSES === "auto" ? autoProcessCount() : Number(env.SLUICE_PROCESSES);
    for (
      let waited = 0;
      findServerPids(server.pid).length < expected || (server.output().match(/Sluice listening on/g)?.length ?? 0) < expected;
      waited += 100
    ) {
      if (waited > 30_000) throw new Error(`${expected} server processes did not start within 30 s.\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await fake.close();
    throw error;
  }
  try {
    const admin = await signUpAdmin(server.url);
    const client = api(server.url, admin.token);
    for (const id of FILTER_IDS) {
      await expectOk(client.post("/api/v1/functions/create", { id, name: id, content: passThroughFilter }), `creating ${id}`);
      await expectOk(client.post(`/api/v1/functions/id/${id}/toggle`), `activating ${id}`);
    }
    await expectOk(
      client.post("/api/v1/functions/create", { id: PIPE_ID, name: "Pass-through pipe", content: passThroughPipe }),
      "creating the pipe",
    );
    await expectOk(client.post(`/api/v1/functions/id/${PIPE_ID}/toggle`), "activating the pipe");
    const unavailable: Partial<Record<Route, string>> = {};
    const filtered = ["fake-small", PIPE_ID];
    try {
      await expectOk(
        client.post("/api/v1/functions/create", { id: PROXY_PIPE_ID, name: "Proxy pipe", content: proxyPipe(fake.baseUrl, "fake-small") }),
        "creating the proxy pipe",
      );
      await expectOk(client.post(`/api/v1/functions/id/${PROXY_PIPE_ID}/toggle`), "activating the proxy pipe");
      filtered.push(PROXY_PIPE_ID);
    } catch (error) {
      unavailable.sluiceProxyPipe = (error as Error).message;
    }
    // The filters apply to these models only; fake-large stays without plugins.
    for (const model of filtered) {
      await expectOk(
        client.post("/api/v1/models/create", { id: model, name: model, meta: { filterIds: FILTER_IDS } }),
        `attaching the filters to ${model}`,
      );
    }
    const bareProxy = await startBareProxy(fake.baseUrl, findServerPids(server.pid).length);
    const models: Record<Route, string> = {
      direct: "fake-small",
      bareProxy: "fake-small",
      sluiceNoPlugins: "fake-large",
      sluiceFilters: "fake-small",
      sluicePipe: PIPE_ID,
      sluiceProxyPipe: PROXY_PIPE_ID,
    };
    return {
      fake,
      server,
      bareProxy,
      serverPids: findServerPids(server.pid),
      unavailable,
      route: (route) =>
        route === "direct"
          ? { url: `${fake.baseUrl}/chat/completions`, model: models.direct }
          : route === "bareProxy"
            ? { url: `${bareProxy.url}/chat/completions`, model: models.bareProxy }
            : { url: `${server.url}/api/chat/completions`, model: models[route], token: admin.token },
      async close() {
        bareProxy.stop();
        await server.stop();
        await fake.close();
      },
    };
  } catch (error) {
    await server.stop();
    await fake.close();
    throw error;
  }
}

/** Starts bench/bare-proxy.ts in a process of its own, in front of `upstream`. */
async function startBareProxy(upstream: string, processes: number): Promise<SluiceUnderTest["bareProxy"]> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "bare-proxy.ts");
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, BARE_PROXY_UPSTREAM: upstream, BARE_PROXY_PROCESSES: `${processes}` },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the bare proxy exited with ${code}`)));
    child.stdout.setEncoding("utf8").once("data", (text: string) => resolve(text.trim()));
  });
  // One process serves, or the cluster's primary hands connections to its workers (which then serve).
  const pids = processes > 1 ? findChildPids(child.pid!, "bare-proxy.ts") : [child.pid!];
  return { url: `http://127.0.0.1:${port}`, pids, stop: () => child.kill() };
}

/** A keep-alive agent without a socket limit: every concurrent chat gets its own connection. */
export function chatAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: Infinity });
}
