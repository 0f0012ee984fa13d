import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

// `npm start` runs this: it runs the server (main.ts) as its child and starts it again when it
// dies after it was serving — when isolated-vm loses control of a plugin's isolate, or the event
// loop stands still, the server ends itself at once (see process/exit-at-once.ts) and relies on a
// supervisor. A server that fails before it listens (bad configuration, port taken) is not
// restarted. Run main.ts directly under systemd, Docker or Kubernetes, which restart it themselves.

const MAIN_PATH = fileURLToPath(new URL("./main.ts", import.meta.url));
const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS_IN_WINDOW = 5;

let child: ChildProcess | undefined;
let isStopping = false;
const restarts: number[] = [];

function start(): void {
  let isListening = false;
  const current = fork(MAIN_PATH, process.argv.slice(2), { execArgv: process.execArgv, stdio: "inherit" });
  child = current;
  current.on("message", (message) => {
    if ((message as { type?: unknown })?.type === "listening") isListening = true;
  });
  current.on("exit", (code, signal) => {
    if (isStopping || code === 0) process.exit(code ?? 0);
    if (!isListening) process.exit(code ?? 1);
    const now = Date.now();
    while (restarts.length > 0 && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= MAX_RESTARTS_IN_WINDOW) {
      process.stderr.write(`Sluice: the server died ${restarts.length + 1} times within a minute; not restarting it again\n`);
      process.exit(1);
    }
    restarts.push(now);
    process.stderr.write(`Sluice: the server ended (${signal ?? `exit code ${code}`}); starting it again\n`);
    start();
  });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    isStopping = true;
    child?.kill(signal);
  });
}

start();
