import type { PluginKind } from "@sluice/sdk";

const DEFINE_CALL = /\bdefine(Pipe|Filter|Action|Tools)\s*\(/;
const CLASS_NAME = /\bclass\s+(Pipe|Filter|Action|Tools)\b/;

/**
 * A plugin's kind read from its source without running it: the `define*` helper it calls or the
 * class it declares (`Pipe`, `Filter`, `Action`, `Tools`); undefined when neither appears. Used
 * for a trusted-tier plugin stored before an admin approves it; its real kind is taken from the
 * plugin itself once it runs.
 *
 * @example
 * guessPluginKind('export default defineFilter({ inlet(body) { return body; } });'); // "filter"
 */
export function guessPluginKind(source: string): PluginKind | undefined {
  const name = DEFINE_CALL.exec(source)?.[1] ?? CLASS_NAME.exec(source)?.[1];
  return name === undefined ? undefined : (name.toLowerCase() as PluginKind);
}
