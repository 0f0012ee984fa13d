/** Who asks: enough of a user for an access decision. */
export interface Principal {
  id: string;
  role: "admin" | "user" | "pending";
  groupIds: readonly string[];
}

interface Principals {
  user_ids: string[];
  group_ids: string[];
}

/** Open WebUI's `access_control`: null = everyone may read; `{}` = owner only; else explicit grants. */
export type AccessControl = { read?: Principals; write?: Principals } | null;

/** What a resource needs for an access check: its owner and Open WebUI-style access control. */
export interface AccessControlled {
  user_id: string;
  access_control: AccessControl;
}

function isGranted(user: Principal, principals: Principals | undefined): boolean {
  if (!principals) return false;
  return principals.user_ids.includes(user.id) || principals.group_ids.some((groupId) => user.groupIds.includes(groupId));
}

/** Write access: admins, the owner, and users or groups on the `write` list. */
export function canWrite(user: Principal, resource: AccessControlled): boolean {
  if (user.role === "admin" || resource.user_id === user.id) return true;
  return isGranted(user, resource.access_control?.write);
}

/** Read access: `null` access control is public read; otherwise write access or the `read` list. */
export function canRead(user: Principal, resource: AccessControlled): boolean {
  if (resource.access_control === null) return true;
  return canWrite(user, resource) || isGranted(user, resource.access_control.read);
}
