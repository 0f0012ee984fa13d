import type { FastifyRequest } from "fastify";
import { SluiceError } from "@sluice/sdk";
import type { AuthenticatedUser } from "../auth/authenticate-token.ts";

export type Role = AuthenticatedUser["role"];

/** The authenticated caller, attached to each request by the auth hook. */
export type RequestUser = AuthenticatedUser;

declare module "fastify" {
  interface FastifyRequest {
    user: RequestUser | null;
    /** Why the presented credentials were refused (expired, unknown key…); null when none were sent or they were fine. */
    authFailure: string | null;
  }
}

/** Any signed-in caller, pending ones included (they may only see their own account). */
export function requireUser(request: FastifyRequest): RequestUser {
  if (!request.user) {
    throw new SluiceError("UNAUTHORIZED", request.authFailure ?? "Not authenticated: send Authorization: Bearer <token or API key>");
  }
  return request.user;
}

/** A caller whose account was approved (role user or admin). */
export function requireVerified(request: FastifyRequest): RequestUser {
  const user = requireUser(request);
  if (user.role === "pending") throw new SluiceError("FORBIDDEN", "Your account is waiting for an admin's approval");
  return user;
}

/** An admin. */
export function requireAdmin(request: FastifyRequest): RequestUser {
  const user = requireVerified(request);
  if (user.role !== "admin") throw new SluiceError("FORBIDDEN", "Only admins may do this");
  return user;
}

/** True when the caller has `permissions[group][name]` (admins have everything). */
export function hasPermission(user: RequestUser, group: string, name: string): boolean {
  if (user.role === "admin") return true;
  return user.permissions[group]?.[name] === true;
}
