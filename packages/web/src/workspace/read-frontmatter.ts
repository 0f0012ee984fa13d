/**
 * The `key: value` lines of a plugin's leading block comment (title, author, version, …), as the
 * server reads them; keys lower-cased, later duplicates win.
 *
 * @example
 * readFrontmatter("/**\n * title: Turn Limit\n * version: 1.2.0\n *\/").title; // "Turn Limit"
 */
export function readFrontmatter(source: string): Record<string, string> {
  const match = /^\s*(?:\/\/[^\n]*\n\s*)*\/\*\*?([\s\S]*?)\*\//.exec(source);
  if (!match) return {};
  const fields: Record<string, string> = {};
  for (const rawLine of match[1]!.split("\n")) {
    const line = rawLine.replace(/^\s*\*?\s?/, "");
    const field = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (field) fields[field[1]!.toLowerCase()] = field[2]!.trim();
  }
  return fields;
}
