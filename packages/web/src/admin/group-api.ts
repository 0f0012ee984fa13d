import { api } from "../api/api-client.ts";
import type { GroupRow } from "../workspace/sharing/principals-api.ts";
import type { Permissions } from "./user-api.ts";

export type { GroupRow };

export interface GroupFields {
  name?: string;
  description?: string;
  user_ids?: string[];
  permissions?: Permissions;
}

/** Groups under `/api/v1/groups` (Open WebUI's paths). */
export const groupApi = {
  list: () => api.get<GroupRow[]>("/api/v1/groups/"),
  create: (fields: GroupFields & { name: string }) => api.post<GroupRow>("/api/v1/groups/create", fields),
  update: (id: string, fields: GroupFields) => api.post<GroupRow>(`/api/v1/groups/id/${encodeURIComponent(id)}/update`, fields),
  remove: (id: string) => api.delete<boolean>(`/api/v1/groups/id/${encodeURIComponent(id)}/delete`),
};

/**
 * The permission switches a group can grant: the ones the server checks. `workspace.tools`
 * lets members create and share tools.
 */
export const GROUP_PERMISSIONS = [{ area: "workspace", name: "tools", label: "Members may create tools" }] as const;
