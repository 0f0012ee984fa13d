import type { RequestUser } from "../http/request-user.ts";
import type { AccessControl } from "../db/tools-repository.ts";

/** What a resource needs for an access check: its owner and Open WebUI-style access control. */
export interface AccessControlled {
  user_id: string;
  access_control: AccessControl;
}

function isGranted(user: RequestUser, principals: { user_ids: string[]; group_ids: string[] } | undefined): boolean {
  if (!principals) return false;
  return principals.user_ids.includes(user.id) || principals.group_ids.some((groupId) => user.groupIds.includes(groupId));
}

/** Write access: admins, the owner, and users or groups on the `write` list. */
export function canWrite(user: RequestUser, resource: AccessControlled): boolean {
  if (user.role === "admin" || resource.user_id === user.id) return true;
  return isGranted(user, resource.access_control?.write);
}

/** Read access: `null` access control is public read; otherwise write access or the `read` list. */
export function canRead(user: RequestUser, resource: AccessControlled): boolean {
  if (resource.access_control === null) return true;
  return canWrite(user, resource) || isGranted(user, resource.access_control.read);
}
