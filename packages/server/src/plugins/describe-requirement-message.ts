import path from "node:path";
import type * as esbuild from "esbuild";

/** The name esbuild gives the plugin's own source in its messages. */
export const PLUGIN_FILE = "plugin.ts";

/**
 * An esbuild message about a file of a requirement, in words that never quote the file: esbuild
 * quotes what it could not parse, and a compile error must not become a way to read files.
 * "Could not resolve" messages quote an import specifier, which is kept.
 */
export function describeRequirementMessage(message: esbuild.Message): string {
  const file = message.location?.file ?? "";
  const modules = file.lastIndexOf(`node_modules${path.sep}`);
  const shown = modules === -1 ? path.basename(file) : file.slice(modules + "node_modules/".length);
  const line = message.location ? ` (line ${message.location.line})` : "";
  if (/^Could not resolve "[^"]*"/.test(message.text))
    return `Could not bundle a requirement: ${message.text.split("\n")[0]} (in ${shown})`;
  return `Could not bundle a requirement: esbuild could not compile ${shown}${line}`;
}
