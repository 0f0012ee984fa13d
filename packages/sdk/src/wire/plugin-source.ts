import type { PluginKind } from "../plugin-kind.ts";

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
 * one `key: value` per line; for a Python plugin, its module docstring as Open WebUI reads it
 * (`"""` alone on the first line). Keys are letters, digits and underscores, stored lower-case; values
 * are trimmed strings; a later duplicate wins; other lines are ignored. No leading comment → `{}`.
 * The server stores what this reads; the web editor shows the same.
 *
 * @example
 * parseFrontmatter("/**\n * title: Turn Limit\n * version: 1.2.0\n *\/\nexport default …");
 * // → { title: "Turn Limit", version: "1.2.0" }
 */
export function parseFrontmatter(source: string): Record<string, string> {
  const text = skipPreamble(source);
  if (text.startsWith('"""')) return parsePythonFrontmatter(source);
  if (!text.startsWith("/*")) return {};
  const end = text.indexOf("*/", 2);
  if (end === -1) return {};
  const entries = new Map<string, string>();
  for (const rawLine of text.slice(2, end).split(/\r\n|\r|\n/)) {
    const match = KEY_VALUE.exec(rawLine.replace(/^[\s*]+/, ""));
    if (match) entries.set(match[1]!.toLowerCase(), match[2]!.trim());
  }
  // fromEntries defines own properties, so a key like "__proto__" cannot touch the prototype.
  return Object.fromEntries(entries);
}

const PYTHON_KEY_VALUE = /^\s*([a-z_]+)\s*:(.*)$/i;

/**
 * Open WebUI's frontmatter of a Python plugin: only when the first line, stripped, is exactly
 * `"""`; then each line up to the first one containing `"""` that reads `key: value` (a key of
 * letters and underscores), stored lower-case, values trimmed, a later duplicate winning.
 */
function parsePythonFrontmatter(source: string): Record<string, string> {
  const lines = source.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  if (lines[0]?.trim() !== '"""') return {};
  const entries = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line.includes('"""')) break;
    const match = PYTHON_KEY_VALUE.exec(line);
    if (match) entries.set(match[1]!.toLowerCase(), match[2]!.trim());
  }
  return Object.fromEntries(entries);
}

const EXPORTED_DEFINE_CALL = /\bexport\s+default\s+define(Pipe|Filter|Action|Tools|Events)\s*\(/;
const DEFINE_CALL = /\bdefine(Pipe|Filter|Action|Tools|Events)\s*\(/;
const CLASS_NAME = /\bclass\s+(Pipe|Filter|Action|Tools|Event)\b/;
const KIND_OF_NAME: Record<string, PluginKind> = {
  Pipe: "pipe",
  Filter: "filter",
  Action: "action",
  Tools: "tools",
  Events: "events",
  Event: "events",
};

/**
 * A plugin's kind read from its source without running it: the `define*` helper its default
 * export calls, else the first `define*` call, else the class it declares (`Pipe`, `Filter`,
 * `Action`, `Tools`, `Event`, as Open WebUI's plugins do); undefined when none appears. The server uses it
 * for a plugin it may not run yet (awaiting approval), the web to file an imported plugin under
 * functions or tools; once the plugin runs, its own `kind` decides.
 *
 * @example
 * guessPluginKind('export default defineFilter({ inlet(body) { return body; } });'); // "filter"
 */
export function guessPluginKind(source: string): PluginKind | undefined {
  const name = EXPORTED_DEFINE_CALL.exec(source)?.[1] ?? DEFINE_CALL.exec(source)?.[1] ?? CLASS_NAME.exec(source)?.[1];
  return name === undefined ? undefined : KIND_OF_NAME[name];
}

/**
 * True when plugin source looks like Python (an Open WebUI function or tool pasted or imported as
 * it is): a module docstring first, or Python imports beside a `class …:` or `def …(`. TypeScript
 * and JavaScript imports quote their module names, so they never match.
 *
 * @example
 * looksLikePython('"""\ntitle: Summariser\n"""\nclass Filter:\n    pass\n'); // true
 */
export function looksLikePython(source: string): boolean {
  const text = source.replace(/^\uFEFF/, "");
  if (/^\s*("""|''')/.test(text)) return true;
  const hasPythonImport = /^[ \t]*(from[ \t]+[\w.]+[ \t]+import[ \t]+[\w*, ()]+|import[ \t]+[\w.]+([ \t]+as[ \t]+\w+)?)[ \t]*$/m.test(text);
  const hasPythonBlock = /^[ \t]*(class[ \t]+\w+[ \t]*(\([^)]*\))?[ \t]*:|(async[ \t]+)?def[ \t]+\w+[ \t]*\()/m.test(text);
  return (hasPythonImport && hasPythonBlock) || /^[ \t]*(async[ \t]+)?def[ \t]+\w+[ \t]*\([ \t]*self\b/m.test(text);
}
