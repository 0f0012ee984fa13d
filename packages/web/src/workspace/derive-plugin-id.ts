/**
 * A plugin id the server accepts (`[a-z0-9_]{1,64}`) made from a name or file name.
 *
 * @example
 * derivePluginId("Turn Limit 2"); // "turn_limit_2"
 * derivePluginId("redact-emails.ts"); // "redact_emails"
 */
export function derivePluginId(name: string): string {
  return name
    .replace(/\.[cm]?[jt]s$/i, "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
}

/** Whether the server will take this id. */
export function isValidPluginId(id: string): boolean {
  return /^[a-z0-9_]{1,64}$/.test(id);
}
