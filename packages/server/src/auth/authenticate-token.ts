import type { Kysely } from "kysely";
import { findApiKeyByHash } from "../db/api-keys-repository.ts";
import { listGroupsOfUser } from "../db/groups-repository.ts";
import { mergePermissions, permissionsSchema } from "../db/permissions.ts";
import type { Database } from "../db/schema.ts";
import { readThrough } from "../db/table-changes.ts";
import { findUserById, type User } from "../db/users-repository.ts";
import { hashApiKey, isApiKey } from "./api-key.ts";
import { readDefaultPermissions } from "./default-permissions.ts";
import { verifyToken } from "./jwt.ts";

/** A signed-in user as HTTP routes and socket sessions see it. */
export interface AuthenticatedUser {
  id: string;
  name: string;
  email: string;
  role: "admin" | "user" | "pending";
  /** Parsed `settings` JSON of the user row. */
  settings: Record<string, unknown>;
  /** Ids of the groups the user belongs to. */
  groupIds: string[];
  /** Effective permissions (defaults, the user's own and its groups'), e.g. `{ workspace: { tools: true } }`. */
  permissions: Record<string, Record<string, boolean>>;
  /** The avatar (`profile_image_url`); null or absent = initials. */
  profileImageUrl?: string | null;
}

/** What authentication reads: the database and the key JWTs are signed with. */
export interface AuthenticationContext {
  db: Kysely<Database>;
  secretKey: Uint8Array;
}

export type Authentication = { user: AuthenticatedUser } | { failure: string };

/** A user's own permissions live in `settings.permissions`. */
export function ownPermissions(user: User) {
  const parsed = permissionsSchema.safeParse(user.settings.permissions);
  return parsed.success ? parsed.data : {};
}

/** The user with its groups and effective permissions (defaults ∪ own ∪ groups'). */
export async function toAuthenticatedUser(context: AuthenticationContext, user: User): Promise<AuthenticatedUser> {
  const [groups, defaults] = await Promise.all([listGroupsOfUser(context.db, user.id), readDefaultPermissions(context.db)]);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    settings: user.settings,
    groupIds: groups.map((group) => group.id),
    permissions: mergePermissions(defaults, ownPermissions(user), ...groups.map((group) => group.permissions)),
    profileImageUrl: user.profile_image_url,
  };
}

/**
 * Resolves a bearer credential (a JWT or an `sk-` API key) to its user, or says why not. A JWT
 * must carry the user's current token version: a password change revokes the older ones.
 */
export async function authenticateToken(context: AuthenticationContext, token: string): Promise<Authentication> {
  let userId: string;
  let tokenVersion: number | undefined;
  if (isApiKey(token)) {
    const hash = hashApiKey(token);
    const key = await readThrough(context.db, `api-key:${hash}`, ["api_key"], () => findApiKeyByHash(context.db, hash));
    if (!key) return { failure: "Invalid API key" };
    userId = key.user_id;
  } else {
    const check = await verifyToken(context.secretKey, token);
    if (!check.isValid) return { failure: check.reason };
    userId = check.userId;
    tokenVersion = check.tokenVersion;
  }
  // Every request is authenticated: the user, its groups and the default permissions are cached
  // until one of their tables is written (db/table-changes.ts).
  const found = await readThrough(context.db, `user:${userId}`, USER_TABLES, async () => {
    const user = await findUserById(context.db, userId);
    return user ? { tokenVersion: user.token_version, user: await toAuthenticatedUser(context, user) } : undefined;
  });
  if (!found) return { failure: "This account no longer exists" };
  // A password change raises the user's token version, which ends every session signed before it.
  if (tokenVersion !== undefined && tokenVersion !== found.tokenVersion)
    return { failure: "This session has ended (the password was changed); sign in again" };
  return { user: found.user };
}

/** What an authenticated user is made of: the user row, its groups, the default permissions (config). */
const USER_TABLES = ["user", "group", "config"];
