import { execFile } from "node:child_process";
import { SluiceError } from "@sluice/sdk";

/** An interpreter that can run Python plugins. */
export interface PythonInterpreter {
  /** Its real path (`sys.executable`): plugin processes start it directly, with an empty environment. */
  executable: string;
  version: string;
  pydanticVersion: string;
  /** `sys.prefix` and `sys.base_prefix`: where it is installed (see python-launch.ts). */
  prefix: string;
  basePrefix: string;
}

const PROBE =
  "import json, sys\nimport pydantic\nprint(json.dumps({'executable': sys.executable, 'version': '%d.%d.%d' % sys.version_info[:3], 'ok': sys.version_info >= (3, 11), 'pydantic': pydantic.VERSION, 'prefix': sys.prefix, 'basePrefix': sys.base_prefix}))";
const PROBE_TIMEOUT_MS = 15_000;
const found = new Map<string, Promise<PythonInterpreter>>();

/** What an admin must do to run Python plugins, for every refusal that comes from the interpreter. */
export function pythonMissingMessage(command: string, why: string): string {
  return (
    `Python plugins need Python 3.11 or newer with pydantic 2 on the server, and "${command}" (SLUICE_PYTHON) cannot run them: ${why}. ` +
    "Install them (for example apt-get install python3 python3-pydantic, or pip install 'pydantic>=2'), or set SLUICE_PYTHON to an interpreter that has them. " +
    "Plugins written in TypeScript are not affected."
  );
}

/**
 * Finds the interpreter `command` names (a path, or a name looked up on the server's PATH, where
 * a version manager's shim is resolved with the server's environment) and checks that it is
 * Python 3.11+ with pydantic 2. The answer is kept per command, a failure too, until the server
 * restarts; a failure is a PLUGIN_LOAD_FAILED SluiceError saying what to install.
 */
export function findPython(command: string): Promise<PythonInterpreter> {
  let finding = found.get(command);
  if (!finding) {
    finding = probe(command);
    found.set(command, finding);
  }
  return finding;
}

function probe(command: string): Promise<PythonInterpreter> {
  return new Promise((resolve, reject) => {
    const refuse = (why: string) =>
      reject(new SluiceError("PLUGIN_LOAD_FAILED", pythonMissingMessage(command, why), { details: { scope: "instance" } }));
    execFile(command, ["-c", PROBE], { timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return refuse("there is no such program");
        const last = String(stderr).trim().split("\n").at(-1) ?? "";
        return refuse(/pydantic/.test(last) ? "pydantic is not installed for it" : last || error.message);
      }
      try {
        const answer = JSON.parse(String(stdout).trim().split("\n").at(-1) ?? "") as {
          executable: string;
          version: string;
          ok: boolean;
          pydantic: string;
          prefix: string;
          basePrefix: string;
        };
        if (!answer.ok) return refuse(`it is Python ${answer.version}`);
        if (!answer.pydantic.startsWith("2.")) return refuse(`it has pydantic ${answer.pydantic}`);
        resolve({
          executable: answer.executable,
          version: answer.version,
          pydanticVersion: answer.pydantic,
          prefix: answer.prefix,
          basePrefix: answer.basePrefix,
        });
      } catch {
        refuse("it did not answer as Python does");
      }
    });
  });
}
