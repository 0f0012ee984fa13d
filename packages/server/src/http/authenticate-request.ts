import type { FastifyRequest } from "fastify";
import { hashApiKey, isApiKey } from "../auth/api-key.ts";
import { readDefaultPermissions } from "../auth/default-permissions.ts";
import { verifyToken } from "../auth/jwt.ts";
import { findApiKeyByHash } from "../db/api-keys-repository.ts";
import { listGroupsOfUser } from "../db/groups-repository.ts";
import { mergePermissions, permissionsSchema } from "../db/permissions.ts";
import { findUserById, type User } from "../db/users-repository.ts";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "./request-user.ts";

/** A user's own permissions live in `settings.permissions`. */
export function ownPermissions(user: User) {
  const parsed = permissionsSchema.safeParse(user.settings.permissions);
  return parsed.success ? parsed.data : {};
}

/** The caller as routes see it: its groups and its effective permissions (defaults ∪ own ∪ groups'). */
export async function toRequestUser(services: AppServices, user: User): Promise<RequestUser> {
  const [groups, defaults] = await Promise.all([listGroupsOfUser(services.db, user.id), readDefaultPermissions(services.db)]);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    settings: user.settings,
    groupIds: groups.map((group) => group.id),
    permissions: mergePermissions(defaults, ownPermissions(user), ...groups.map((group) => group.permissions)),
  };
}

type Authentication = { user: RequestUser } | { failure: string };

/** Resolves a bearer credential (a JWT or an `sk-` API key) to its user. */
export async function authenticateToken(services: AppServices, token: string): Promise<Authentication> {
  let userId: string;
  if (isApiKey(token)) {
    const key = await findApiKeyByHash(services.db, hashApiKey(token));
    if (!key) return { failure: "Invalid API key" };
    userId = key.user_id;
  } else {
    const check = await verifyToken(services.secretKey, token);
    if (!check.isValid) return { failure: check.reason };
    userId = check.userId;
  }
  const user = await findUserById(services.db, userId);
  if (!user) return { failure: "This account no longer exists" };
  return { user: await toRequestUser(services, user) };
}

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
