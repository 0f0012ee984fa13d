import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { Kysely } from "kysely";
import type { FunctionRecord, ToolRecord } from "../core/records.ts";
import type { Database } from "../db/schema.ts";
import { findPluginVersion, type PluginVersionRecord, type VersionNamespace } from "../db/plugin-versions-repository.ts";
import type { RequestUser } from "../http/request-user.ts";
import type { LoadedPlugin } from "../plugins/loaded-plugin.ts";
import type { AppServices } from "../services.ts";
import { updateFunctionCode } from "./function-saves.ts";
import { updateToolCode } from "./tool-saves.ts";

/** The body of `POST …/versions/{version_id}/restore`: an optional message for the version it makes. */
export const restoreBodySchema = z
  .object({ message: z.string().max(500, "message is at most 500 characters").optional() })
  .nullish()
  .transform((body) => body ?? {});

/** A version of the plugin, or NOT_FOUND (also for a version of another plugin). */
export async function requireVersion(
  db: Kysely<Database>,
  namespace: VersionNamespace,
  pluginId: string,
  versionId: string,
): Promise<PluginVersionRecord> {
  const version = await findPluginVersion(db, namespace, pluginId, versionId);
  if (!version) throw new SluiceError("NOT_FOUND", `Version not found: ${versionId}`);
  return version;
}

/**
 * Saves an old version's name, description and code as the plugin's newest version, through the
 * same path as an editor's save: the code must load now, with today's server and permissions, or
 * nothing changes (a 400 with the load error). The plugin is reloaded from the restored code.
 *
 * @example
 * const { record } = await restoreVersion(services, "function", row, version, admin, "Back to the working one");
 */
export async function restoreVersion<R extends FunctionRecord | ToolRecord>(
  services: AppServices,
  namespace: VersionNamespace,
  current: R,
  version: PluginVersionRecord,
  user: RequestUser,
  message?: string,
): Promise<{ record: R; loaded: LoadedPlugin }> {
  const form = {
    name: version.name,
    content: version.content,
    meta: {
      description: version.meta.description,
      ...(version.meta.limits === undefined ? {} : { limits: version.meta.limits as never }),
    },
    message: message?.trim() || `Restored version ${version.number}`,
  };
  const saved =
    namespace === "function"
      ? await updateFunctionCode(services, current as FunctionRecord, form, user.id)
      : await updateToolCode(services, user, current as ToolRecord, form);
  return saved as { record: R; loaded: LoadedPlugin };
}
