import { spawn } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { TEST_SECRET_KEY } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// `npm start` runs the server under supervise.ts, which starts it again when it ends itself (a
// plugin isolated-vm lost control of, a stalled event loop), and stops with it.

const SUPERVISE_PATH = fileURLToPath(new URL("../src/supervise.ts", import.meta.url));

function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describeEachDatabase("supervise.ts", (kind) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it("starts the server again when it is killed, and stops with it", { timeout: 60_000 }, async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    const supervisor = spawn(process.execPath, ["--no-node-snapshot", "--disable-warning=ExperimentalWarning", SUPERVISE_PATH], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: database.dataDir,
        DATABASE_URL: database.databaseUrl ?? "",
        WEBUI_SECRET_KEY: TEST_SECRET_KEY,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    supervisor.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    supervisor.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      supervisor.once("exit", (code, signal) => resolve({ code, signal })),
    );
    try {
      const listening = () => [...output.matchAll(/Sluice listening on (http:\/\/\S+)/g)].map((match) => match[1]!);
      await expect.poll(listening, { timeout: 20_000 }).toHaveLength(1);
      expect((await fetch(`${listening()[0]}/health`)).status).toBe(200);

      const [server] = childrenOf(supervisor.pid!);
      process.kill(server!, "SIGKILL");
      await expect.poll(listening, { timeout: 20_000 }).toHaveLength(2);
      expect(output).toMatch(/the server ended \(SIGKILL\); starting it again/);
      expect((await fetch(`${listening()[1]}/health`)).status).toBe(200);

      const [restarted] = childrenOf(supervisor.pid!);
      supervisor.kill("SIGTERM");
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(fs.existsSync(`/proc/${restarted}`) && !fs.readFileSync(`/proc/${restarted}/stat`, "utf8").includes(") Z ")).toBe(false);
    } finally {
      supervisor.kill("SIGKILL");
      for (const child of childrenOf(supervisor.pid!)) process.kill(child, "SIGKILL");
    }
  });
});
