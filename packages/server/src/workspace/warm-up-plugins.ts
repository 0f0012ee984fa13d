import type { AppServices } from "../services.ts";
import { listFunctions } from "../db/functions-repository.ts";
import { listTools } from "../db/tools-repository.ts";

/**
 * Checks at start-up that every active function and every tool still loads, one at a time, so a
 * plugin that no longer loads (a changed server version, say) is deactivated and marked with its
 * error right away. Nothing is kept loaded: each isolate is disposed as soon as it has loaded, and
 * a plugin is loaded for use on its first use. Runs after the server listens; failures are logged.
 */
export async function warmUpPlugins(services: AppServices): Promise<{ loaded: number; failed: number }> {
  const { db, workspace, logger } = services;
  let loaded = 0;
  let failed = 0;
  const rows = [
    ...(await listFunctions(db)).filter((record) => record.is_active).map((record) => ["function", record] as const),
    ...(await listTools(db)).map((record) => ["tool", record] as const),
  ];
  for (const [namespace, record] of rows) {
    try {
      await workspace.check(namespace, record);
      loaded += 1;
    } catch {
      failed += 1; // logged and recorded on the row by workspace.check
    }
  }
  if (rows.length > 0) logger.info({ loaded, failed }, "plugins checked at start-up");
  return { loaded, failed };
}
