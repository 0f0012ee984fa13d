import { z } from "zod";

/**
 * Permissions granted to a user or a group, by area then name, e.g. `{ workspace: { tools: true } }`.
 * Shared by users' settings, groups and the default permissions in config.
 */
export const permissionsSchema = z.record(z.string(), z.record(z.string(), z.boolean()));

export type Permissions = z.infer<typeof permissionsSchema>;

/** Combines several grants: a permission is on when any source turns it on. */
export function mergePermissions(...sources: Permissions[]): Permissions {
  const merged: Permissions = {};
  for (const source of sources) {
    for (const [area, names] of Object.entries(source)) {
      const target = (merged[area] ??= {});
      for (const [name, isGranted] of Object.entries(names)) target[name] = target[name] === true || isGranted;
    }
  }
  return merged;
}
