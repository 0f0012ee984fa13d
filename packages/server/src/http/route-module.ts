import type { FastifyInstance } from "fastify";
import type { AppServices } from "../services.ts";

/**
 * A group of routes. It receives an encapsulated Fastify scope (hooks and decorations it adds
 * stay inside) whose requests are already authenticated (`request.user`), and the services.
 *
 * @example
 * export function registerHealthRoutes(app: FastifyInstance, services: AppServices): void {
 *   app.get("/health", async () => ({ status: true }));
 * }
 */
export type RouteModule = (app: FastifyInstance, services: AppServices) => void | Promise<void>;
