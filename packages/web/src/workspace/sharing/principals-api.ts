import { api } from "../../api/api-client.ts";

/** A group as `GET /api/v1/groups/` answers it (admins see all; users see their own). */
export interface GroupRow {
  id: string;
  name: string;
  description: string;
  user_ids: string[];
  permissions: Record<string, Record<string, boolean>>;
  created_at: number;
  updated_at: number;
}

/** An approved account one may share with (`GET /api/v1/users/search`). */
export interface UserChoice {
  id: string;
  name: string;
  email: string;
  profile_image_url: string | null;
}

/** Whom a tool or model can be shared with: the caller's groups and the approved users. */
export async function loadPrincipals(): Promise<{ groups: GroupRow[]; users: UserChoice[] }> {
  const [groups, found] = await Promise.all([
    api.get<GroupRow[]>("/api/v1/groups/"),
    api.get<{ users: UserChoice[] }>("/api/v1/users/search"),
  ]);
  return { groups, users: found.users };
}
