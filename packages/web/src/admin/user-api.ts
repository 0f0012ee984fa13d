import { api } from "../api/api-client.ts";
import type { Role } from "../api/types.ts";

export type Permissions = Record<string, Record<string, boolean>>;

/** A user as admins see it (`GET /api/v1/users/`). */
export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  profile_image_url?: string | null;
  /** The user's own grants; groups and the defaults add to them. */
  permissions: Permissions;
  group_ids: string[];
  created_at: number;
  updated_at: number;
  last_active_at: number;
}

/** `permissions` with one grant changed, the others kept. */
export function withPermission(permissions: Permissions, area: string, name: string, isGranted: boolean): Permissions {
  return { ...permissions, [area]: { ...permissions[area], [name]: isGranted } };
}

/** Open WebUI's sign-up settings (`/api/v1/auths/admin/config`). */
export interface SignUpConfig {
  ENABLE_SIGNUP: boolean;
  DEFAULT_USER_ROLE: "pending" | "user";
}

export interface UserFields {
  name?: string;
  email?: string;
  role?: Role;
  /** A new password (the user's sessions end). */
  password?: string;
  permissions?: Permissions;
}

/** `POST /api/v1/auths/add` answers as Open WebUI's sign-in: the new account and a session token for it. */
export interface AddedUser {
  token: string;
  token_type: "Bearer";
  id: string;
  email: string;
  name: string;
  role: Role;
  profile_image_url: string | null;
}

export const userApi = {
  list: () => api.get<UserRow[]>("/api/v1/users/"),
  add: (fields: Required<Pick<UserFields, "name" | "email" | "password" | "role">>) => api.post<AddedUser>("/api/v1/auths/add", fields),
  get: (id: string) => api.get<UserRow>(`/api/v1/users/${encodeURIComponent(id)}`),
  remove: (id: string) => api.delete<boolean>(`/api/v1/users/${encodeURIComponent(id)}`),
  signUpConfig: () => api.get<SignUpConfig>("/api/v1/auths/admin/config"),
  setSignUpConfig: (config: Partial<SignUpConfig>) => api.post<SignUpConfig>("/api/v1/auths/admin/config", config),
  update: (id: string, fields: UserFields) => api.post<UserRow>(`/api/v1/users/${encodeURIComponent(id)}/update`, fields),
  defaultPermissions: () => api.get<Permissions>("/api/v1/users/permissions/default"),
  setDefaultPermissions: (permissions: Permissions) => api.post<Permissions>("/api/v1/users/permissions/default", permissions),
};
