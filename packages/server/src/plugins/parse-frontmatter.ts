const KEY_VALUE = /^([A-Za-z0-9_]+)\s*:(.*)$/;

/** The plugin's text after a byte-order mark, a shebang line and leading blank lines. */
function skipPreamble(source: string): string {
  let text = source.startsWith("\uFEFF") ? source.slice(1) : source;
  if (text.startsWith("#!")) {
    const lineEnd = text.search(/\r\n|\r|\n/);
    text = lineEnd === -1 ? "" : text.slice(lineEnd);
  }
  return text.trimStart();
}

/**
 * Reads the frontmatter of a plugin: the block comment (`/** … *\/` or `/* … *\/`) it starts with,
 * one `key: value` per line. Keys are letters, digits and underscores, stored lower-case; values
 * are trimmed strings; a later duplicate wins; other lines are ignored. No leading comment → `{}`.
 *
 * @example
 * parseFrontmatter("/**\n * title: Turn Limit\n * version: 1.2.0\n *\/\nexport default …");
 * // → { title: "Turn Limit", version: "1.2.0" }
 */
export function parseFrontmatter(source: string): Record<string, string> {
  const text = skipPreamble(source);
  if (!text.startsWith("/*")) return {};
  const end = text.indexOf("*/", 2);
  if (end === -1) return {};
  const entries = new Map<string, string>();
  for (const rawLine of text.slice(2, end).split(/\r\n|\r|\n/)) {
    const match = KEY_VALUE.exec(rawLine.replace(/^[\s*]+/, ""));
    if (match) entries.set(match[1].toLowerCase(), match[2].trim());
  }
  // fromEntries defines own properties, so a key like "__proto__" cannot touch the prototype.
  return Object.fromEntries(entries);
}
