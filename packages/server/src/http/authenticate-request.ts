import type { FastifyRequest } from "fastify";
import { authenticateToken } from "../auth/authenticate-token.ts";
import type { AppServices } from "../services.ts";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The onRequest hook: sets `request.user` from `Authorization: Bearer …`, or leaves it null and
 * records why in `request.authFailure`, so only routes that need a user answer 401.
 */
export async function authenticateRequest(services: AppServices, request: FastifyRequest): Promise<void> {
  request.user = null;
  request.authFailure = null;
  const header = request.headers.authorization;
  if (!header) return;
  const match = BEARER.exec(header);
  if (!match) {
    request.authFailure = "Malformed Authorization header: expected 'Bearer <token or API key>'";
    return;
  }
  const result = await authenticateToken(services, match[1]);
  if ("user" in result) request.user = result.user;
  else request.authFailure = result.failure;
}
