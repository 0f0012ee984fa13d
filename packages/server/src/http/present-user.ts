import type { User } from "../db/users-repository.ts";
import { ownPermissions } from "../auth/authenticate-token.ts";

/** A user as admins see it in `/api/v1/users/…`: no password hash, no settings (they hold user valves). */
export interface UserView {
  id: string;
  name: string;
  email: string;
  role: User["role"];
  profile_image_url: string | null;
  /** The user's own grants (groups and defaults add to them). */
  permissions: Record<string, Record<string, boolean>>;
  group_ids: string[];
  created_at: number;
  updated_at: number;
  last_active_at: number;
}

export function presentUser(user: User, groupIds: string[]): UserView {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    profile_image_url: user.profile_image_url,
    permissions: ownPermissions(user),
    group_ids: groupIds,
    created_at: user.created_at,
    updated_at: user.updated_at,
    last_active_at: user.last_active_at,
  };
}
