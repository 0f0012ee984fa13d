/**
 * True when plugin source looks like Python (an Open WebUI function or tool pasted or imported as
 * it is): a module docstring first, or Python imports beside a `class …:` or `def …(`. TypeScript
 * and JavaScript imports quote their module names, so they never match.
 */
export function looksLikePython(source: string): boolean {
  const text = source.replace(/^\uFEFF/, "");
  if (/^\s*("""|''')/.test(text)) return true;
  const hasPythonImport = /^[ \t]*(from[ \t]+[\w.]+[ \t]+import[ \t]+[\w*, ()]+|import[ \t]+[\w.]+([ \t]+as[ \t]+\w+)?)[ \t]*$/m.test(text);
  const hasPythonBlock = /^[ \t]*(class[ \t]+\w+[ \t]*(\([^)]*\))?[ \t]*:|(async[ \t]+)?def[ \t]+\w+[ \t]*\()/m.test(text);
  return (hasPythonImport && hasPythonBlock) || /^[ \t]*(async[ \t]+)?def[ \t]+\w+[ \t]*\([ \t]*self\b/m.test(text);
}
