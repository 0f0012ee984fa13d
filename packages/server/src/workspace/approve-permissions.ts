import { z } from "zod";
import { SluiceError, type PluginKind } from "@sluice/sdk";
import { functionTypeOf } from "@sluice/sdk/wire";
import type { AppServices } from "../services.ts";
import { findFunction, updateFunction, type FunctionRecord } from "../db/functions-repository.ts";
import type { PluginMeta } from "../db/plugin-records.ts";
import { findTool, updateTool, type ToolRecord } from "../db/tools-repository.ts";
import { AwaitingApprovalRunner } from "../plugins/awaiting-approval-runner.ts";
import type { LoadedPlugin } from "../plugins/load-plugin.ts";
import { TRUSTED_TIER_NOTICE } from "../plugins/load-trusted-plugin.ts";
import { PYTHON_TIER_NOTICE } from "../plugins/load-python-plugin.ts";
import { isTierPermission, networkPatterns, requestedPermissions } from "../plugins/parse-permissions.ts";
import { storedGrant } from "../plugins/plugin-registry.ts";
import { buildMeta } from "./plugin-workspace.ts";

/** True for a trusted-tier or Python plugin stored without running it, until an admin approves it. */
export function awaitsApproval(loaded: LoadedPlugin): boolean {
  return loaded.sandbox instanceof AwaitingApprovalRunner;
}

/**
 * Whether a row's approval of `permissions: node` carries over to a save of `content`: an admin's
 * save keeps it; anyone else's keeps it only when the code is unchanged (new code needs a new approval).
 */
export function keepsNodeGrant(record: FunctionRecord | ToolRecord, content: string, isAdmin: boolean): boolean {
  return storedGrant(record).some(isTierPermission) && (isAdmin || content === record.content);
}

/** What an admin is told about the permissions just granted, in plain words. */
export function permissionNotices(granted: readonly string[]): string[] {
  if (granted.includes("python")) {
    const hosts = networkPatterns(granted);
    const reach = hosts.length === 0 ? "no host" : hosts.map((host) => describeHostPattern(host)).join(", ");
    return [
      PYTHON_TIER_NOTICE,
      `Its network connections may reach ${reach} (public addresses only, unless PLUGIN_ALLOW_PRIVATE_NETWORK is true).`,
    ];
  }
  if (granted.includes("node")) return [TRUSTED_TIER_NOTICE];
  const hosts = networkPatterns(granted);
  if (hosts.length === 0) return [];
  const described = hosts.map((host) => describeHostPattern(host));
  return [`ctx.fetch may reach ${described.join(", ")} (public addresses only, unless PLUGIN_ALLOW_PRIVATE_NETWORK is true).`];
}

/** A granted host pattern in words: `*` is "any host on the internet". */
export function describeHostPattern(pattern: string): string {
  if (pattern === "*") return "any host on the internet";
  if (pattern.startsWith("*:")) return `any host on the internet, port ${pattern.slice(2)}`;
  return pattern;
}

type PluginRecord<N> = N extends "function" ? FunctionRecord : ToolRecord;

/**
 * The body of `POST …/permissions/approve`: the `content_hash` of the code the admin reviewed (as
 * the row showed it). Optional, for scripts written before it; the web UI always sends it.
 */
export const approveBodySchema = z.object({ content_hash: z.string().min(1, "content_hash must not be empty").max(200).optional() });

function changedSinceReview(id: string): SluiceError {
  return new SluiceError(
    "CONFLICT",
    `The code of "${id}" changed since it was reviewed; nothing was approved. Read it again (its content_hash is on the row) and approve what you read`,
    { pluginId: id },
  );
}

/**
 * An admin grants a plugin every permission its frontmatter asks for (`meta.permissions.granted`),
 * for functions and tools alike. A trusted-tier plugin (`node`) was stored without running; it
 * starts now, and the row takes its kind, valves and tool specs from the plugin itself. If it
 * fails to start, the grant stays and the row carries the load error.
 *
 * The approval is bound to code: to `reviewedHash` when given (else CONFLICT, nothing granted),
 * and in any case to the code read here, so a save racing the approval is never granted.
 *
 * @example
 * const { record, notices } = await approvePermissions(services, "function", row, body.content_hash);
 */
export async function approvePermissions<N extends "function" | "tool">(
  services: AppServices,
  namespace: N,
  record: PluginRecord<N>,
  reviewedHash?: string,
): Promise<{ record: PluginRecord<N>; loaded?: LoadedPlugin; notices: string[] }> {
  const { db, workspace } = services;
  if (reviewedHash !== undefined && reviewedHash !== record.content_hash) throw changedSinceReview(record.id);
  const bound = { ifContentHash: record.content_hash };
  const write = async (fields: {
    meta: PluginMeta;
    descriptor?: LoadedPlugin["descriptor"];
    loadError?: null;
  }): Promise<PluginRecord<N>> => {
    const cleared = fields.loadError === null ? { load_error: null } : {};
    const updated =
      namespace === "function"
        ? await updateFunction(
            db,
            record.id,
            {
              meta: fields.meta,
              ...(fields.descriptor ? { type: functionTypeOf(fields.descriptor.kind as Exclude<PluginKind, "tools">) } : {}),
              ...cleared,
            },
            bound,
          )
        : await updateTool(
            db,
            record.id,
            { meta: fields.meta, ...(fields.descriptor ? { specs: fields.descriptor.tools } : {}), ...cleared },
            bound,
          );
    if (updated) return updated as PluginRecord<N>;
    const exists = namespace === "function" ? await findFunction(db, record.id) : await findTool(db, record.id);
    throw exists ? changedSinceReview(record.id) : new SluiceError("NOT_FOUND", `Plugin not found: ${record.id}`);
  };
  const requested = requestedPermissions(record.content);
  let updated = await write({ meta: { ...record.meta, permissions: { requested, granted: requested } } });
  let loaded: LoadedPlugin | undefined;
  if (requested.some(isTierPermission)) {
    try {
      loaded = await workspace.loaded(namespace, updated);
    } catch {
      // workspace.loaded recorded the error on the row (and on `updated`).
    }
    // It loads now: the row's "waits for approval" error (kept on an inactive function) is gone.
    if (loaded) updated = await write({ meta: buildMeta(updated.meta, loaded), descriptor: loaded.descriptor, loadError: null });
  }
  return { record: updated, loaded, notices: permissionNotices(requested) };
}
