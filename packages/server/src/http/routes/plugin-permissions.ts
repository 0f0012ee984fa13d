import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { findFunction } from "../../db/functions-repository.ts";
import { readableTool } from "../../workspace/tool-saves.ts";
import { permissionNotices } from "../../workspace/approve-permissions.ts";
import { requestedPermissions } from "../../plugins/parse-permissions.ts";
import { storedGrant } from "../../plugins/plugin-registry.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireAdmin } from "../request-user.ts";

const idParams = z.object({ id: z.string() });

/**
 * `GET /api/v1/{functions,tools}/id/{id}/permissions` (admins): what the stored code asks for, what
 * is granted, what still waits, and `notices`: what approving would grant, in the server's own
 * words (the same text `…/permissions/approve` answers with), so an admin reads it before approving.
 * `content_hash` names the code described; send it back with the approval.
 */
export function registerPluginPermissionRoutes(app: FastifyInstance, services: AppServices): void {
  const { db } = services;
  for (const namespace of ["functions", "tools"] as const) {
    app.get(`/api/v1/${namespace}/id/:id/permissions`, async (request) => {
      const admin = requireAdmin(request);
      const { id } = parseInput(idParams, request.params);
      const record = namespace === "functions" ? await findFunction(db, id) : await readableTool(services, admin, id);
      if (!record) throw new SluiceError("NOT_FOUND", `Function not found: ${id}`);
      const requested = requestedPermissions(record.content);
      const granted = storedGrant(record);
      return {
        content_hash: record.content_hash,
        requested,
        granted,
        waiting: requested.filter((permission) => !granted.includes(permission)),
        notices: permissionNotices(requested),
      };
    });
  }
}
