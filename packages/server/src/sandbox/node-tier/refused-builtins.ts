import { isBuiltin } from "node:module";

/**
 * Node built-ins a trusted-tier plugin may not load, because they reach past Node's permission
 * model: `sqlite` opens and writes any file (`VACUUM INTO`, `ATTACH`) while `fs` on the same path
 * is denied; `v8` changes V8's flags at run time (`setFlagsFromString`) and deserializes raw heap
 * data; `repl` hands out every built-in through its context without the module loader;
 * `inspector` is denied by the permission model already and stays refused here too.
 */
export const REFUSED_BUILTINS: ReadonlySet<string> = new Set(["sqlite", "v8", "repl", "inspector", "inspector/promises"]);

/**
 * True when `name` (`"node:sqlite"`, `"v8"`, a `node:` URL) names a refused built-in. A bare
 * `"sqlite"` is not a built-in (only `node:sqlite` is), so it is not refused: it names a package.
 *
 * @example
 * isRefusedBuiltin("node:sqlite"); // true
 * isRefusedBuiltin("fs"); // false
 */
export function isRefusedBuiltin(name: string): boolean {
  return isBuiltin(name) && REFUSED_BUILTINS.has(name.startsWith("node:") ? name.slice("node:".length) : name);
}
