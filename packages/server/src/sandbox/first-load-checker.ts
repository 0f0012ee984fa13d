import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SluiceError } from "@sluice/sdk";

const CHILD_PATH = fileURLToPath(new URL("./first-load-child.ts", import.meta.url));
// isolated-vm gives a built-in 5 s past its time limit before it gives up on it.
const GRACE_MS = 10_000;

export interface FirstLoadOptions {
  pluginId: string;
  memoryLimitMb: number;
  timeoutMs: number;
}

interface Pending {
  options: FirstLoadOptions;
  resolve(): void;
  reject(error: SluiceError): void;
  timer: NodeJS.Timeout;
}

/**
 * Runs a plugin's top-level code for the first time in a child process before the server loads it:
 * the save path's first run of code nobody has run yet. A plugin that makes isolated-vm lose
 * control of its isolate there (an out-of-memory inside a built-in, a built-in that cannot be
 * stopped) ends the child, not the server; the save answers 400 with PLUGIN_LOAD_FAILED, and the
 * memory goes with the child. One child serves the checks one at a time and is started again
 * when it ends.
 */
export class FirstLoadChecker {
  #child: ChildProcess | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  /** Resolves when `code` loads in a fresh isolate; rejects with the load error otherwise. */
  check(code: string, options: FirstLoadOptions): Promise<void> {
    const child = this.#ensureChild();
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Stuck past every limit: the child goes, and with it whatever it holds.
        child.kill("SIGKILL");
      }, options.timeoutMs + GRACE_MS);
      this.#pending.set(id, { options, resolve, reject, timer });
      child.send({ id, code, ...options });
    });
  }

  #ensureChild(): ChildProcess {
    if (this.#child) return this.#child;
    const child = fork(CHILD_PATH, [], {
      execArgv: ["--no-node-snapshot", "--disable-warning=ExperimentalWarning"],
      env: {},
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    this.#child = child;
    child.on("message", (message) => {
      const answer = message as { id: number; ok: boolean; code?: string; message?: string };
      const pending = this.#pending.get(answer.id);
      if (!pending) return;
      this.#pending.delete(answer.id);
      clearTimeout(pending.timer);
      if (answer.ok) pending.resolve();
      else
        pending.reject(
          new SluiceError("PLUGIN_LOAD_FAILED", answer.message ?? "The plugin did not load", { pluginId: pending.options.pluginId }),
        );
    });
    child.on("exit", () => {
      if (this.#child === child) this.#child = undefined;
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer);
        pending.reject(
          new SluiceError(
            "PLUGIN_LOAD_FAILED",
            `Plugin ran out of memory or could not be stopped while loading (the limits are ${pending.options.memoryLimitMb} MB and ${pending.options.timeoutMs} ms)`,
            { pluginId: pending.options.pluginId },
          ),
        );
        this.#pending.delete(id);
      }
    });
    child.unref();
    child.channel?.unref();
    return child;
  }

  /** Ends the child; checks in flight fail. */
  close(): void {
    this.#child?.kill("SIGKILL");
    this.#child = undefined;
  }
}
