import { SluiceError } from "@sluice/sdk";

/** Marks a load failure that says something about this instance, not about the plugin's code. */
export const LOCAL_FAILURE = { scope: "instance" } as const;

/**
 * True when a plugin failed to load for a reason local to this instance: the npm registry cannot
 * be reached from here, installs are busy, the server here is older than the plugin requires (a
 * rolling upgrade), or something broke in the server itself. Another instance may load the same
 * row fine, so such a failure is reported by this instance and never written to the shared row.
 */
export function isLocalLoadFailure(error: unknown): boolean {
  if (!SluiceError.isInstance(error)) return false;
  if (error.code === "UPSTREAM_ERROR" || error.code === "UNAVAILABLE" || error.code === "INTERNAL") return true;
  return (error.details as { scope?: unknown } | undefined)?.scope === LOCAL_FAILURE.scope;
}
