import { SluiceError } from "@sluice/sdk";
import { isUniqueViolation } from "../db/is-unique-violation.ts";
import type { LoadedPlugin } from "../plugins/loaded-plugin.ts";
import type { PluginNamespace, PluginWorkspace } from "./plugin-workspace.ts";

/**
 * The last step of every save: stores the row for code that already loaded and, once it is
 * stored, installs the loaded plugin so the next request runs the new code. When storing fails
 * (a taken id, a row deleted meanwhile, the database), the loaded plugin is disposed and what was
 * stored and running stays as it was.
 *
 * @example
 * const record = await installSavedPlugin(workspace, "function", id, loaded, () => insertFunction(db, row));
 */
export async function installSavedPlugin<Row>(
  workspace: Pick<PluginWorkspace, "install">,
  namespace: PluginNamespace,
  id: string,
  loaded: LoadedPlugin,
  store: () => Promise<Row | undefined>,
): Promise<Row> {
  let record: Row | undefined;
  try {
    record = await store();
  } catch (error) {
    loaded.sandbox.dispose();
    if (isUniqueViolation(error)) throw new SluiceError("ALREADY_EXISTS", `The id "${id}" is already taken`);
    throw error;
  }
  if (!record) {
    loaded.sandbox.dispose();
    throw new SluiceError("NOT_FOUND", `${namespace === "function" ? "Function" : "Tool"} not found: ${id}`);
  }
  workspace.install(namespace, id, loaded);
  return record;
}
