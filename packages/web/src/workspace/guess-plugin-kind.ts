import type { PluginKind } from "./plugin-api.ts";

const MARKERS: [PluginKind, RegExp][] = [
  ["tools", /\bdefineTools\s*\(|\bclass\s+Tools\b/],
  ["pipe", /\bdefinePipe\s*\(|\bclass\s+Pipe\b/],
  ["filter", /\bdefineFilter\s*\(|\bclass\s+Filter\b/],
  ["action", /\bdefineAction\s*\(|\bclass\s+Action\b/],
];

/**
 * The kind a plugin's source seems to define, to store an imported file in the right place
 * (tools apart from functions). The server decides for real when it loads the code.
 *
 * @example
 * guessPluginKind('export default defineTools({ tools: {} })'); // "tools"
 */
export function guessPluginKind(source: string): PluginKind | undefined {
  // Order as the server's: Pipe wins over Filter, then Action, then Tools; but a file with
  // defineTools is a tools module whatever else it mentions.
  if (MARKERS[0]![1].test(source)) return "tools";
  return MARKERS.slice(1).find(([, pattern]) => pattern.test(source))?.[0];
}
