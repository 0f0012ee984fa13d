import type { FastifyInstance } from "fastify";
import type { AppServices } from "../../services.ts";
import { readSignUpConfig } from "../../auth/sign-up-config.ts";
import { countUsers } from "../../db/users-repository.ts";
import { SLUICE_VERSION } from "../../plugins/plugin-versions.ts";

/**
 * `GET /api/config` (anyone): what the web UI needs before sign-in. `has_users` is false on a
 * fresh server, whose first account becomes the admin; `features.enable_signup` is false when
 * an admin turned sign-up off (Open WebUI's name).
 */
export function registerConfigRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/api/config", async () => {
    const signUp = await readSignUpConfig(services.db, services.config);
    return {
      name: "Sluice",
      version: SLUICE_VERSION,
      has_users: (await countUsers(services.db)) > 0,
      default_user_role: signUp.DEFAULT_USER_ROLE,
      features: { enable_signup: signUp.ENABLE_SIGNUP },
    };
  });
}
