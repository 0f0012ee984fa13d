import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../db/schema.ts";
import { quarantinePlugin } from "./crash-quarantine.ts";
import { exitAtOnce } from "./exit-at-once.ts";

/** How long recording the culprit may take before the process ends anyway. */
const QUARANTINE_TIMEOUT_MS = 3000;

export interface PluginCrashHandlerOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Ends the process; a test passes its own. Default {@link exitAtOnce}. */
  exit?: (message: string) => void;
}

/**
 * What the server does when isolated-vm loses control of a plugin's isolate (its
 * `onCatastrophicError`): the thread that ran the plugin is suspended for good, holding its memory,
 * so the process cannot recover. The plugin is switched off in the database (so the restarted
 * server does not run it again), then the process ends at once for its supervisor.
 */
export function createPluginCrashHandler(options: PluginCrashHandlerOptions): (pluginId: string, message: string) => void {
  const exit = options.exit ?? exitAtOnce;
  let isHandling = false;
  return (pluginId, message) => {
    if (isHandling) return;
    isHandling = true;
    const reason = `${message} (an out-of-memory inside a built-in, or a built-in that kept running past its time limit)`;
    options.logger.fatal({ pluginId }, `isolated-vm lost control of plugin "${pluginId}": ${reason}`);
    const timer = setTimeout(
      () => exit(`plugin "${pluginId}" crashed the server; it could not be switched off in time`),
      QUARANTINE_TIMEOUT_MS,
    );
    quarantinePlugin(options.db, pluginId, reason).then(
      () => {
        clearTimeout(timer);
        exit(`plugin "${pluginId}" crashed the server (${message}); it was switched off`);
      },
      (error: unknown) => {
        clearTimeout(timer);
        options.logger.error({ err: error, pluginId }, "could not switch off the plugin that crashed the server");
        exit(`plugin "${pluginId}" crashed the server (${message})`);
      },
    );
  };
}
