import type { FastifyInstance } from "fastify";
import type { AppServices } from "../../services.ts";
import { countUsers } from "../../db/users-repository.ts";
import { SLUICE_VERSION } from "../../plugins/plugin-versions.ts";

/**
 * `GET /api/config` (anyone): what the web UI needs before sign-in. `has_users` is false on a
 * fresh server, whose first account becomes the admin.
 */
export function registerConfigRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/api/config", async () => ({
    name: "Sluice",
    version: SLUICE_VERSION,
    has_users: (await countUsers(services.db)) > 0,
    default_user_role: services.config.defaultUserRole,
  }));
}
