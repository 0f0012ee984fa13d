import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { FunctionRecord, ToolRecord } from "../../core/records.ts";
import { findFunction } from "../../db/functions-repository.ts";
import { listPluginVersions, type VersionNamespace } from "../../db/plugin-versions-repository.ts";
import { listUsers } from "../../db/users-repository.ts";
import type { AppServices } from "../../services.ts";
import { actorOf } from "../../workspace/event-plugins.ts";
import { requireVersion, restoreBodySchema, restoreVersion } from "../../workspace/restore-version.ts";
import { readableTool, writableTool } from "../../workspace/tool-saves.ts";
import { parseInput } from "../parse-body.ts";
import { requireAdmin, requireVerified, type RequestUser } from "../request-user.ts";

const idParams = z.object({ id: z.string() });
const versionParams = z.object({ id: z.string(), version_id: z.string() });

/** Who may read a plugin's versions (anyone who may read its code) and who may restore one (who may save it). */
interface VersionAccess {
  readable(user: RequestUser, id: string): Promise<FunctionRecord | ToolRecord>;
  writable(user: RequestUser, id: string): Promise<FunctionRecord | ToolRecord>;
  /** Functions: admins only, as every other function route. */
  requireUser(request: Parameters<typeof requireVerified>[0]): RequestUser;
}

/**
 * Version history of functions and tools: `GET …/id/{id}/versions` (newest first, without code),
 * `GET …/id/{id}/versions/{version_id}` (with code and meta) and
 * `POST …/id/{id}/versions/{version_id}/restore`, which saves that version as a new one through
 * the normal save path (it must load, or nothing changes) and reloads the plugin.
 */
export function registerPluginVersionRoutes(app: FastifyInstance, services: AppServices): void {
  const { db } = services;
  const requireFunction = async (_user: RequestUser, id: string) => {
    const record = await findFunction(db, id);
    if (!record) throw new SluiceError("NOT_FOUND", `Function not found: ${id}`);
    return record;
  };
  register(app, services, "function", "/api/v1/functions", {
    readable: requireFunction,
    writable: requireFunction,
    requireUser: requireAdmin,
  });
  register(app, services, "tool", "/api/v1/tools", {
    readable: (user, id) => readableTool(services, user, id),
    writable: (user, id) => writableTool(services, user, id),
    requireUser: requireVerified,
  });
}

function register(app: FastifyInstance, services: AppServices, namespace: VersionNamespace, prefix: string, access: VersionAccess): void {
  const { db } = services;

  app.get(`${prefix}/id/:id/versions`, async (request) => {
    const user = access.requireUser(request);
    const record = await access.readable(user, parseInput(idParams, request.params).id);
    const versions = await listPluginVersions(db, namespace, record.id);
    const users = new Map((await listUsers(db)).map((entry) => [entry.id, entry]));
    return versions.map((version) => {
      const author = users.get(version.user_id);
      return { ...version, user: author ? { id: author.id, name: author.name } : null };
    });
  });

  app.get(`${prefix}/id/:id/versions/:version_id`, async (request) => {
    const user = access.requireUser(request);
    const params = parseInput(versionParams, request.params);
    const record = await access.readable(user, params.id);
    return requireVersion(db, namespace, record.id, params.version_id);
  });

  app.post(`${prefix}/id/:id/versions/:version_id/restore`, async (request) => {
    const user = access.requireUser(request);
    const params = parseInput(versionParams, request.params);
    const current = await access.writable(user, params.id);
    const version = await requireVersion(db, namespace, current.id, params.version_id);
    const { message } = parseInput(restoreBodySchema, request.body);
    const { record, loaded } = await restoreVersion(services, namespace, current, version, user, message);
    request.log.info({ pluginId: record.id, version: version.number }, `${namespace} version restored`);
    services.events.raise(`${namespace}.updated`, {
      subject: { type: namespace, id: record.id },
      actor: actorOf(user),
      data: namespace === "function" ? { name: record.name, type: (record as FunctionRecord).type } : { name: record.name },
    });
    const { valves: _valves, ...row } = record;
    return { ...row, loaded_at: loaded.loadedAt };
  });
}
