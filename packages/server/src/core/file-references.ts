/**
 * The ids of the stored files a request names in its `files`, as Open WebUI writes them:
 * `{type: "file", id}`, `{id}` or `{file: {id}}`, each once, in order. Other entries (a URL, a
 * collection) name no stored file and are skipped.
 *
 * @example
 * fileIdsOf([{ type: "file", id: "a" }, { file: { id: "b" } }, { type: "web", url: "https://…" }]); // ["a", "b"]
 */
export function fileIdsOf(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  const ids = new Set<string>();
  for (const entry of files) {
    if (typeof entry !== "object" || entry === null) continue;
    const { id, file, type } = entry as { id?: unknown; file?: { id?: unknown } | null; type?: unknown };
    if (type !== undefined && type !== "file" && type !== "image") continue;
    const named = typeof id === "string" ? id : typeof file?.id === "string" ? file.id : undefined;
    if (named) ids.add(named);
  }
  return [...ids];
}
