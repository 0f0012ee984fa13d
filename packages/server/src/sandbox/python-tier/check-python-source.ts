import { execFile } from "node:child_process";
import { SluiceError } from "@sluice/sdk";
import type { PythonInterpreter } from "./find-python.ts";
import { PYTHON_RUNTIME_PATH } from "./python-process-transport.ts";

/** What parsing a Python plugin found, without running any of it. */
export interface PythonSourceFacts {
  /** The names of the module's top-level classes, in order. */
  classes: string[];
  /**
   * Pip names of packages Open WebUI's server ships (aiohttp, httpx, openai, …) that the source
   * imports and this interpreter lacks: installed as if listed under `requirements:`.
   */
  shippedByOpenWebUI: string[];
}

const CHECK_TIMEOUT_MS = 15_000;

/**
 * Parses Python source with the interpreter's own parser (`ast.parse`; nothing runs, no import
 * happens), for a plugin saved before an admin approved it: its top-level classes, or a
 * PLUGIN_LOAD_FAILED SluiceError with the syntax error and its line.
 */
export function checkPythonSource(source: string, python: PythonInterpreter, pluginId: string): Promise<PythonSourceFacts> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      python.executable,
      ["-I", "-B", PYTHON_RUNTIME_PATH, "--check"],
      { env: {}, timeout: CHECK_TIMEOUT_MS, maxBuffer: 1024 * 1024 },
      (error, stdout) => {
        let answer: { ok: boolean; classes?: string[]; shippedByOpenWebUI?: string[]; message?: string } | undefined;
        try {
          answer = JSON.parse(String(stdout));
        } catch {
          answer = undefined;
        }
        if (!answer) {
          return reject(
            new SluiceError("PLUGIN_LOAD_FAILED", `Python could not parse the plugin: ${error?.message ?? "no answer"}`, { pluginId }),
          );
        }
        if (!answer.ok) return reject(new SluiceError("PLUGIN_LOAD_FAILED", answer.message ?? "Syntax error", { pluginId }));
        resolve({ classes: answer.classes ?? [], shippedByOpenWebUI: answer.shippedByOpenWebUI ?? [] });
      },
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(source);
  });
}
