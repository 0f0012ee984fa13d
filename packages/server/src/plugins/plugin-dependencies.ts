/** npm requirements installed for a plugin (see `installRequirements`). */
export interface PluginDependencies {
  /** The folder whose `node_modules` holds them. */
  folder: string;
  /** The package names the plugin's requirements list: the only bare imports it may make. */
  names: readonly string[];
}
