import { type ChildProcess, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type DatabaseKind, type TestDatabase } from "./test-database.ts";

const MAIN_PATH = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const SUPERVISE_PATH = fileURLToPath(new URL("../../src/supervise.ts", import.meta.url));
const REPOSITORY_ROOT = path.resolve(path.dirname(MAIN_PATH), "../../..");
const LISTENING_LINE = /^Sluice listening on http:\/\/(.+):(\d+)\s*$/m;
const OUTPUT_KEPT_CHARACTERS = 64 * 1024;

/** The secret the test servers sign tokens with, unless a test removes or replaces it. */
export const TEST_SECRET_KEY = "sluice-test-secret-key-0123456789abcdef";

export interface StartServerOptions {
  kind: DatabaseKind;
  /** Extra or replaced environment variables; `undefined` removes one (e.g. `WEBUI_SECRET_KEY`). */
  env?: Record<string, string | undefined>;
  /** `supervise`: run what `npm start` runs (supervise.ts, which runs main.ts, as many as `SLUICE_PROCESSES`); `main` by default. */
  script?: "main" | "supervise";
  /**
   * A database to run on, e.g. to restart a server on the same data. The caller then drops it;
   * without one, a fresh database is created and dropped by `stop()`.
   */
  database?: TestDatabase;
  /** How long to wait for the listening line; 20 s by default. */
  startTimeoutMs?: number;
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  dataDir: string;
  databaseUrl?: string;
  database: TestDatabase;
  /** What the server printed (stdout then stderr), for failure messages. */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and drops the database if it made it. */
  stop(): Promise<void>;
  /** The server's process id (to signal it as an operator would). */
  pid: number;
  /** Settles when the process ends, however it ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const runningProcesses = new Set<ChildProcess>();
let isExitHookInstalled = false;

/** A crashed or interrupted test run must not leave servers behind. */
function installExitHook(): void {
  if (isExitHookInstalled) return;
  isExitHookInstalled = true;
  process.on("exit", () => {
    for (const child of runningProcesses) child.kill("SIGKILL");
  });
}

function appendKept(kept: string, chunk: string): string {
  const joined = kept + chunk;
  return joined.length > OUTPUT_KEPT_CHARACTERS ? joined.slice(-OUTPUT_KEPT_CHARACTERS) : joined;
}

/**
 * Only what a server needs from the outer environment, so a developer's DATABASE_URL and the like
 * never leak in. The machine's trust store and proxies pass, as they would to a deployed server:
 * where the way out goes through a TLS proxy with its own certificate authority, the npm that
 * installs a plugin's requirements needs them to reach the registry.
 */
function baseEnvironment(): Record<string, string> {
  const kept: Record<string, string> = {};
  const names = ["PATH", "HOME", "TMPDIR", "LANG", "TZ", "SYSTEMROOT", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"];
  for (const name of [...names, "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"]) {
    const value = process.env[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a real Sluice server process (`node packages/server/src/main.ts`) on a free port with
 * its own database, and resolves once it listens. Integration tests talk to it over HTTP.
 *
 * @example
 * const server = await startServer({ kind: "postgres", env: { DEFAULT_USER_ROLE: "user" } });
 * const health = await fetch(`${server.url}/health`);
 * await server.stop();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const database = options.database ?? (await createTestDatabase(options.kind));
  const ownsDatabase = options.database === undefined;
  const environment: Record<string, string | undefined> = {
    ...baseEnvironment(),
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl ?? "",
    WEBUI_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: "warn",
    // V8 code cache shared by every test server: later starts skip recompiling fastify, kysely, zod…
    NODE_COMPILE_CACHE: path.join(os.tmpdir(), "sluice-test-compile-cache"),
    ...options.env,
  };
  for (const [name, value] of Object.entries(environment)) if (value === undefined) delete environment[name];

  installExitHook();
  const child = spawn(
    process.execPath,
    ["--no-node-snapshot", "--disable-warning=ExperimentalWarning", options.script === "supervise" ? SUPERVISE_PATH : MAIN_PATH],
    {
      cwd: REPOSITORY_ROOT,
      env: environment,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  runningProcesses.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      runningProcesses.delete(child);
      resolve({ code, signal });
    }),
  );

  let stdout = "";
  let stderr = "";
  // Both pipes are read for the life of the process: a full pipe would block the server.
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout = appendKept(stdout, chunk)));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr = appendKept(stderr, chunk)));
  const output = () => [stdout, stderr].filter(Boolean).join("\n--- stderr ---\n");

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await waitForExit(child, 5000))) {
        child.kill("SIGKILL");
        await waitForExit(child, 5000);
      }
    }
    if (ownsDatabase) await database.drop();
  };

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timeoutMs = options.startTimeoutMs ?? 20_000;
      const timer = setTimeout(() => reject(new Error(`Sluice did not start within ${timeoutMs} ms.\n${output()}`)), timeoutMs);
      const onData = () => {
        const match = LISTENING_LINE.exec(stdout);
        if (!match) return;
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve(Number(match[2]));
      };
      child.stdout!.on("data", onData);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Sluice exited before listening (code ${code}, signal ${signal}).\n${output()}`));
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return {
      url: `http://127.0.0.1:${port}`,
      dataDir: database.dataDir,
      databaseUrl: database.databaseUrl,
      database,
      output,
      stop,
      exited,
      pid: child.pid!,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
