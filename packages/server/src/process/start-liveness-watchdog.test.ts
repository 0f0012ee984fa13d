import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const WATCHDOG_PATH = fileURLToPath(new URL("./start-liveness-watchdog.ts", import.meta.url));

/** Runs `body` in a fresh Node process with the watchdog started; resolves with how it ended. */
function runWithWatchdog(
  stallLimitMs: number,
  body: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  const script = `
    const { startLivenessWatchdog } = await import(${JSON.stringify(WATCHDOG_PATH)});
    const stop = startLivenessWatchdog({ stallLimitMs: ${stallLimitMs} });
    ${body}
  `;
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let stdout = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, stderr, stdout })));
}

describe("startLivenessWatchdog", () => {
  it("ends a process whose event loop stands still", async () => {
    const ended = await runWithWatchdog(500, "await new Promise((resolve) => setTimeout(resolve, 100)); for (;;) {}");
    expect(ended.signal).toBe("SIGKILL");
    expect(ended.stderr).toMatch(/event loop has not turned for \d+ s \(the limit is 0.5 s\); exiting at once/);
  });

  it("leaves a busy process whose loop keeps turning alone", async () => {
    const ended = await runWithWatchdog(
      500,
      `const end = Date.now() + 2000;
       while (Date.now() < end) { const slice = Date.now() + 100; while (Date.now() < slice) {} await new Promise((resolve) => setImmediate(resolve)); }
       stop();
       console.log("finished");`,
    );
    expect(ended).toMatchObject({ code: 0, signal: null, stdout: "finished\n" });
  });
});
