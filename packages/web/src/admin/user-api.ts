import { api } from "../api/api-client.ts";
import type { Role } from "../api/types.ts";

export type Permissions = Record<string, Record<string, boolean>>;

/** A user as admins see it (`GET /api/v1/users/`). */
export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
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

export const userApi = {
  list: () => api.get<UserRow[]>("/api/v1/users/"),
  update: (id: string, fields: { role?: Role; permissions?: Permissions }) =>
    api.post<UserRow>(`/api/v1/users/${encodeURIComponent(id)}/update`, fields),
  defaultPermissions: () => api.get<Permissions>("/api/v1/users/permissions/default"),
  setDefaultPermissions: (permissions: Permissions) => api.post<Permissions>("/api/v1/users/permissions/default", permissions),
};
