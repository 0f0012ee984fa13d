import type { AccessControl } from "@sluice/sdk/wire";

export type PrincipalKind = "group" | "user";

/** One line of the sharing dialog: a group or user that may read, or read and write. */
export interface Grant {
  kind: PrincipalKind;
  id: string;
  canWrite: boolean;
}

/** The grants of an `access_control` (a write grant is also a read grant, so it shows once). */
export function grantsOf(accessControl: AccessControl | undefined): Grant[] {
  if (!accessControl) return [];
  const grants: Grant[] = [];
  const add = (kind: PrincipalKind, ids: string[] | undefined, canWrite: boolean) => {
    for (const id of ids ?? []) {
      const existing = grants.find((grant) => grant.kind === kind && grant.id === id);
      if (existing) existing.canWrite ||= canWrite;
      else grants.push({ kind, id, canWrite });
    }
  };
  add("group", accessControl.write?.group_ids, true);
  add("user", accessControl.write?.user_ids, true);
  add("group", accessControl.read?.group_ids, false);
  add("user", accessControl.read?.user_ids, false);
  return grants;
}

/**
 * Open WebUI's `access_control` for these grants: `null` when public (everyone reads), else
 * `{read:{group_ids,user_ids}, write:{group_ids,user_ids}}`; writers are listed as readers too.
 */
export function accessControlOf(isPublic: boolean, grants: Grant[]): AccessControl {
  if (isPublic) return null;
  const ids = (kind: PrincipalKind, isWriteOnly: boolean) =>
    grants.filter((grant) => grant.kind === kind && (!isWriteOnly || grant.canWrite)).map((grant) => grant.id);
  return {
    read: { group_ids: ids("group", false), user_ids: ids("user", false) },
    write: { group_ids: ids("group", true), user_ids: ids("user", true) },
  };
}
