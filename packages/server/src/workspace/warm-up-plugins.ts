import type { AppServices } from "../services.ts";
import { listFunctions } from "../db/functions-repository.ts";
import { listTools } from "../db/tools-repository.ts";

/**
 * Loads every active function and every tool once at start-up, so the first chat does not pay
 * for it and a plugin that no longer loads (a changed server version, say) is deactivated and
 * marked with its error right away. Runs after the server listens; failures are logged.
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
      await workspace.loaded(namespace, record);
      loaded += 1;
    } catch {
      failed += 1; // logged and recorded on the row by workspace.loaded
    }
  }
  if (rows.length > 0) logger.info({ loaded, failed }, "plugins loaded at start-up");
  return { loaded, failed };
}
