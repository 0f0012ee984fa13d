import { SluiceError } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { countToolsOwnedBy } from "../db/tools-repository.ts";

/**
 * Refuses (FORBIDDEN) a new tool for a user who owns `PLUGIN_MAX_TOOLS_PER_USER` already. Admins
 * are not counted: they are trusted, and an import is capped by `PLUGIN_MAX_IMPORT_ITEMS`.
 *
 * @example
 * await assertToolQuota(services, user); // before loading the new tool's code
 */
export async function assertToolQuota(services: Pick<AppServices, "db" | "config">, user: RequestUser): Promise<void> {
  if (user.role === "admin") return;
  const limit = services.config.pluginMaxToolsPerUser;
  const owned = await countToolsOwnedBy(services.db, user.id);
  if (owned >= limit) {
    throw new SluiceError(
      "FORBIDDEN",
      `You have ${owned} tools, the most one user may have (PLUGIN_MAX_TOOLS_PER_USER=${limit}); delete one before creating another`,
    );
  }
}
