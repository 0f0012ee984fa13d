import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import { serverProcessCount } from "./process/server-processes.ts";

// `npm start` runs this: it runs the server (main.ts) as its child, or several (SLUICE_PROCESSES,
// one per two cores when REDIS_URL is set) sharing one port, the database and Redis, and starts one
// again when it dies after it was serving — when isolated-vm loses control of a plugin's isolate,
// or the event loop stands still, the server ends itself at once (see process/exit-at-once.ts)
// and relies on a supervisor. A server that fails before it listens (bad configuration, port
// taken) is not restarted: the supervisor ends with it. Run main.ts directly under systemd, Docker
// or Kubernetes, which restart it themselves (and scale it with replicas).

const MAIN_PATH = fileURLToPath(new URL("./main.ts", import.meta.url));
const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS_IN_WINDOW = 5;

let count: number;
try {
  count = serverProcessCount(process.env);
} catch (error) {
  process.stderr.write(`Sluice: invalid configuration: ${(error as Error).message}\n`);
  process.exit(1);
}

const listening = new WeakSet<Worker>();
const running = new Set<Worker>();
let isStopping = false;
let hasStartedTheRest = false;
const restarts: number[] = [];

// The kernel hands each new connection to the processes in turn (the primary accepts and passes
// it on: one port for all); the browser's socket.io connection is one WebSocket, so it stays with
// the process that took it.
cluster.setupPrimary({ exec: MAIN_PATH, args: process.argv.slice(2), execArgv: process.execArgv });

/** The n-th server process (1-based); each names itself apart in its records. */
function start(index: number): Worker {
  const instanceId = process.env.SLUICE_INSTANCE_ID?.trim();
  const worker = cluster.fork({
    SLUICE_PROCESS_INDEX: String(index),
    ...(instanceId && count > 1 ? { SLUICE_INSTANCE_ID: `${instanceId}-${index}` } : {}),
  });
  running.add(worker);
  worker.on("message", (message) => {
    if ((message as { type?: unknown })?.type !== "listening" || listening.has(worker)) return;
    listening.add(worker);
    // The first one has migrated the database: the others start now, without racing it.
    if (index === 1 && !hasStartedTheRest) {
      hasStartedTheRest = true;
      for (let next = 2; next <= count; next += 1) start(next);
    }
  });
  worker.on("exit", (code, signal) => {
    running.delete(worker);
    if (isStopping) {
      if (running.size === 0) process.exit();
      return;
    }
    if (code === 0) return stopAll(0);
    if (!listening.has(worker)) return stopAll(code ?? 1);
    const now = Date.now();
    while (restarts.length > 0 && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= MAX_RESTARTS_IN_WINDOW) {
      process.stderr.write(`Sluice: ${name(index)} died ${restarts.length + 1} times within a minute; not restarting it again\n`);
      return stopAll(1);
    }
    restarts.push(now);
    process.stderr.write(`Sluice: ${name(index)} ended (${signal ?? `exit code ${code}`}); starting it again\n`);
    start(index);
  });
  return worker;
}

function name(index: number): string {
  return count > 1 ? `server process ${index}` : "the server";
}

/** Ends every server process (with the signal, so each drains its answers) and then this one. */
function stopAll(exitCode: number, signal: NodeJS.Signals = "SIGTERM"): void {
  isStopping = true;
  process.exitCode = exitCode;
  if (running.size === 0) process.exit();
  for (const worker of running) worker.process.kill(signal);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stopAll(0, signal));

start(1);
