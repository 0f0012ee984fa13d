import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import type { AppServices } from "../../services.ts";

/** `GET /health` (the process answers) and `GET /health/db` (the database answers too), as Open WebUI. */
export function registerHealthRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/health", async () => ({ status: true }));
  app.get("/health/db", async () => {
    await sql`select 1`.execute(services.db);
    return { status: true };
  });
}
