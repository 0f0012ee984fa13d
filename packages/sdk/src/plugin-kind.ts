/**
 * The five kinds of plugin, as the `kind` of what the `define*` helpers return.
 *
 * @example
 * PLUGIN_KINDS.includes(plugin.kind); // true
 */
export const PLUGIN_KINDS = ["pipe", "filter", "action", "tools", "events"] as const;

/**
 * One of {@link PLUGIN_KINDS}.
 *
 * @example
 * const kind: PluginKind = "filter";
 */
export type PluginKind = (typeof PLUGIN_KINDS)[number];
