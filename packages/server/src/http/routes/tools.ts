import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { PluginRow } from "@sluice/sdk/wire";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { hasPermission, requireAdmin, requireVerified, type RequestUser } from "../request-user.ts";
import {
  accessControlSchema,
  deleteTool,
  findTool,
  insertTool,
  listTools,
  updateTool,
  type ToolRecord,
} from "../../db/tools-repository.ts";
import { isUniqueViolation } from "../../db/is-unique-violation.ts";
import type { LoadedPlugin } from "../../plugins/load-plugin.ts";
import { storedGrant } from "../../plugins/plugin-registry.ts";
import { approveBodySchema, approvePermissions, keepsNodeGrant } from "../../workspace/approve-permissions.ts";
import { canRead, canWrite } from "../../core/access-control.ts";
import { buildMeta, normalisePluginId } from "../../workspace/plugin-workspace.ts";
import { loadFromUrl } from "../../workspace/load-from-url.ts";
import { presentValves, prepareValvesUpdate, valvesSpec } from "../../workspace/plugin-valves.ts";
import { readUserValves, writeUserValves } from "../../workspace/user-valves.ts";
import { assertToolQuota } from "../../workspace/assert-tool-quota.ts";
import { importPlugins, pluginImportSchema } from "../../workspace/import-plugins.ts";
import { exportQuery, functionFormSchema } from "./functions.ts";

const toolFormSchema = functionFormSchema.extend({ access_control: accessControlSchema.optional() });
const idParams = z.object({ id: z.string() });

function toolResponse(record: ToolRecord, user: RequestUser, loaded?: LoadedPlugin, options: { includeContent?: boolean } = {}): PluginRow {
  // `content_hash` identifies the code shown: an approval sends it back (see approvePermissions).
  const { valves: _valves, content, ...rest } = record;
  return {
    ...rest,
    ...(options.includeContent === false ? {} : { content }),
    has_user_valves: record.meta.has_user_valves === true,
    write_access: canWrite(user, record),
    loaded_at: loaded?.loadedAt ?? null,
  };
}

/** Tool creation: admins, and users an admin allowed (`workspace.tools`, directly or through a group). */
function requireToolCreator(user: RequestUser): void {
  if (!hasPermission(user, "workspace", "tools")) {
    throw new SluiceError("FORBIDDEN", "You may not create tools; an admin can allow it (workspace.tools permission)");
  }
}

/** `/api/v1/tools/…`: tool modules with owner / access-control permissions. */
export function registerToolRoutes(app: FastifyInstance, services: AppServices): void {
  const { db, workspace, secrets } = services;
  const prefix = "/api/v1/tools";
  // This instance's own report of why the tool does not load here (see functions.ts).
  const toolResponseWithStatus = (...args: Parameters<typeof toolResponse>) => ({
    ...toolResponse(...args),
    instance_load_error: workspace.localLoadError("tool", args[0].id),
  });

  /** A tool the caller may read; a tool it may not read is reported missing, so ids don't leak. */
  async function readableTool(user: RequestUser, id: string): Promise<ToolRecord> {
    const record = await findTool(db, id);
    if (!record || !canRead(user, record)) throw new SluiceError("NOT_FOUND", `Tool not found: ${id}`);
    return record;
  }

  async function writableTool(user: RequestUser, id: string): Promise<ToolRecord> {
    const record = await readableTool(user, id);
    if (!canWrite(user, record)) throw new SluiceError("FORBIDDEN", `You may not change the tool ${id}`);
    return record;
  }

  const listReadable = async (user: RequestUser) => (await listTools(db)).filter((record) => canRead(user, record));

  app.get(`${prefix}/`, async (request) => {
    const user = requireVerified(request);
    return (await listReadable(user)).map((record) =>
      toolResponseWithStatus(record, user, workspace.registry.peek("tool", record.id), { includeContent: false }),
    );
  });

  app.get(`${prefix}/list`, async (request) => {
    const user = requireVerified(request);
    return (await listReadable(user)).map((record) =>
      toolResponseWithStatus(record, user, workspace.registry.peek("tool", record.id), { includeContent: false }),
    );
  });

  app.get(`${prefix}/export`, async (request) => {
    const user = requireVerified(request);
    requireToolCreator(user);
    const includeValves = parseInput(exportQuery, request.query).include_valves === true;
    return (await listReadable(user)).map(({ content_hash: _hash, valves, ...record }) =>
      includeValves && canWrite(user, { ...record })
        ? { ...record, valves: presentValves(undefined, "valves", valves, secrets, user.role === "admin") }
        : record,
    );
  });

  app.post(`${prefix}/load/url`, async (request) => {
    requireAdmin(request);
    const { url } = parseInput(z.object({ url: z.string().min(1, "url is required") }), request.body);
    return loadFromUrl(url, {
      maxBytes: services.config.maxPluginSourceBytes,
      allowPrivateNetwork: services.config.pluginAllowPrivateNetwork,
    });
  });

  app.post(`${prefix}/create`, async (request) => {
    const user = requireVerified(request);
    requireToolCreator(user);
    const form = parseInput(toolFormSchema, request.body);
    const id = normalisePluginId(form.id);
    if (await findTool(db, id)) throw new SluiceError("ALREADY_EXISTS", `The id "${id}" is already taken`);
    await assertToolQuota(services, user);
    // An admin's tool gets the permissions it asks for; a user's waits for an admin's approval.
    const loaded = await workspace.prepare("tool", id, form.content, user.role === "admin" ? "requested" : []);
    let record: ToolRecord;
    try {
      record = await insertTool(db, {
        id,
        user_id: user.id,
        name: form.name,
        content: form.content,
        specs: loaded.descriptor.tools,
        meta: buildMeta(user.role === "admin" ? form.meta : { ...form.meta, limits: undefined }, loaded),
        // A new tool is private to its owner unless the form says otherwise (null = public read).
        access_control: form.access_control === undefined ? {} : form.access_control,
        content_hash: loaded.contentHash,
      });
    } catch (error) {
      loaded.sandbox.dispose();
      if (isUniqueViolation(error)) throw new SluiceError("ALREADY_EXISTS", `The id "${id}" is already taken`);
      throw error;
    }
    workspace.install("tool", id, loaded);
    request.log.info({ pluginId: id }, "tool created");
    return toolResponseWithStatus(record, user, loaded);
  });

  for (const path of ["sync", "import"]) {
    app.post(`${prefix}/${path}`, async (request) => {
      const admin = requireAdmin(request);
      return importPlugins(services, "tool", admin, parseInput(pluginImportSchema("tools"), request.body));
    });
  }

  app.get(`${prefix}/id/:id`, async (request) => {
    const user = requireVerified(request);
    const record = await readableTool(user, parseInput(idParams, request.params).id);
    let loaded: LoadedPlugin | undefined;
    try {
      loaded = await workspace.loaded("tool", record);
    } catch {
      // The row now carries the load error.
    }
    return toolResponseWithStatus(record, user, loaded);
  });

  app.post(`${prefix}/id/:id/update`, async (request) => {
    const user = requireVerified(request);
    const current = await writableTool(user, parseInput(idParams, request.params).id);
    const form = parseInput(toolFormSchema.extend({ id: z.string().optional() }), request.body);
    const isAdmin = user.role === "admin";
    const loaded = await workspace.prepare(
      "tool",
      current.id,
      form.content,
      isAdmin ? "requested" : storedGrant(current),
      keepsNodeGrant(current, form.content, isAdmin),
    );
    const record = await updateTool(db, current.id, {
      name: form.name,
      content: form.content,
      specs: loaded.descriptor.tools,
      // Only admins change a tool's limits.
      meta: buildMeta({ ...current.meta, ...form.meta, ...(user.role === "admin" ? {} : { limits: current.meta.limits }) }, loaded),
      content_hash: loaded.contentHash,
      load_error: null,
      ...(form.access_control === undefined ? {} : { access_control: form.access_control }),
    });
    if (!record) {
      loaded.sandbox.dispose();
      throw new SluiceError("NOT_FOUND", `Tool not found: ${current.id}`);
    }
    workspace.install("tool", record.id, loaded);
    request.log.info({ pluginId: record.id }, "tool updated");
    return toolResponseWithStatus(record, user, loaded);
  });

  app.post(`${prefix}/id/:id/access/update`, async (request) => {
    const user = requireVerified(request);
    const record = await writableTool(user, parseInput(idParams, request.params).id);
    const { access_control } = parseInput(z.object({ access_control: accessControlSchema }), request.body);
    const updated = await updateTool(db, record.id, { access_control });
    return toolResponseWithStatus(updated!, user, workspace.registry.peek("tool", record.id));
  });

  /**
   * An admin grants a tool every permission its frontmatter asks for (`meta.permissions`); it reloads
   * on next use. A trusted-tier tool (`permissions: node`) starts now; `notices` says what was granted.
   */
  app.post(`${prefix}/id/:id/permissions/approve`, async (request) => {
    const admin = requireAdmin(request);
    const current = await readableTool(admin, parseInput(idParams, request.params).id);
    const { record, loaded, notices } = await approvePermissions(
      services,
      "tool",
      current,
      parseInput(approveBodySchema, request.body).content_hash,
    );
    request.log.info({ pluginId: record.id, granted: record.meta.permissions }, "tool permissions approved");
    return { ...toolResponseWithStatus(record, admin, loaded ?? workspace.registry.peek("tool", record.id)), notices };
  });

  app.delete(`${prefix}/id/:id/delete`, async (request) => {
    const user = requireVerified(request);
    const record = await writableTool(user, parseInput(idParams, request.params).id);
    await deleteTool(db, record.id);
    workspace.remove("tool", record.id);
    request.log.info({ pluginId: record.id }, "tool deleted");
    return true;
  });

  // Admin valves may hold API keys: reading them needs write access (as in Open WebUI), and
  // secrets stay masked for everyone but admins.
  app.get(`${prefix}/id/:id/valves`, async (request) => {
    const user = requireVerified(request);
    const record = await writableTool(user, parseInput(idParams, request.params).id);
    const plugin = user.role === "admin" ? undefined : await workspace.loaded("tool", record);
    return presentValves(plugin, "valves", record.valves, secrets, user.role === "admin");
  });

  app.get(`${prefix}/id/:id/valves/spec`, async (request) => {
    const user = requireVerified(request);
    const record = await readableTool(user, parseInput(idParams, request.params).id);
    return valvesSpec(await workspace.loaded("tool", record), "valves");
  });

  app.post(`${prefix}/id/:id/valves/update`, async (request) => {
    const user = requireVerified(request);
    const record = await writableTool(user, parseInput(idParams, request.params).id);
    const plugin = await workspace.loaded("tool", record);
    const update = await prepareValvesUpdate(plugin, "valves", request.body, record.valves, secrets);
    await updateTool(db, record.id, { valves: update.sealed });
    request.log.info({ pluginId: record.id }, "tool valves updated");
    return presentValves(plugin, "valves", update.sealed, secrets, user.role === "admin");
  });

  app.get(`${prefix}/id/:id/valves/user`, async (request) => {
    const user = requireVerified(request);
    const record = await readableTool(user, parseInput(idParams, request.params).id);
    return readUserValves(services, "tool", record.id, user, await workspace.loaded("tool", record));
  });

  app.get(`${prefix}/id/:id/valves/user/spec`, async (request) => {
    const user = requireVerified(request);
    const record = await readableTool(user, parseInput(idParams, request.params).id);
    return valvesSpec(await workspace.loaded("tool", record), "userValves");
  });

  app.post(`${prefix}/id/:id/valves/user/update`, async (request) => {
    const user = requireVerified(request);
    const record = await readableTool(user, parseInput(idParams, request.params).id);
    return writeUserValves(services, "tool", record.id, user, await workspace.loaded("tool", record), request.body);
  });
}
