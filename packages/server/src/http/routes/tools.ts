import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { PluginRow } from "@sluice/sdk/wire";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireAdmin, requireVerified, type RequestUser } from "../request-user.ts";
import { accessControlSchema, deleteTool, listTools, updateTool, type ToolRecord } from "../../db/tools-repository.ts";
import type { LoadedPlugin } from "../../plugins/load-plugin.ts";
import { approveBodySchema, approvePermissions } from "../../workspace/approve-permissions.ts";
import { canRead, canWrite } from "../../core/access-control.ts";
import { loadFromUrl } from "../../workspace/load-from-url.ts";
import { presentValves, prepareValvesUpdate, readerOf, valvesSpecFor } from "../../workspace/plugin-valves.ts";
import { readUserValves, writeUserValves } from "../../workspace/user-valves.ts";
import { importPlugins, pluginImportSchema } from "../../workspace/import-plugins.ts";
import { createTool, readableTool, requireToolCreator, toolFormSchema, updateToolCode, writableTool } from "../../workspace/tool-saves.ts";
import { exportQuery } from "./functions.ts";
import { actorOf } from "../../workspace/event-plugins.ts";
import type { ServerEventActor } from "@sluice/sdk";

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

/** `/api/v1/tools/…`: tool modules with owner / access-control permissions. */
export function registerToolRoutes(app: FastifyInstance, services: AppServices): void {
  const { db, workspace, secrets } = services;
  const prefix = "/api/v1/tools";
  // This instance's own report of why the tool does not load here (see functions.ts).
  const toolResponseWithStatus = (...args: Parameters<typeof toolResponse>) => ({
    ...toolResponse(...args),
    instance_load_error: workspace.localLoadError("tool", args[0].id),
  });

  const readable = (user: RequestUser, id: string) => readableTool(services, user, id);
  const writable = (user: RequestUser, id: string) => writableTool(services, user, id);

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

  const raise = (change: "created" | "updated" | "enabled" | "deleted" | "valves_updated", record: ToolRecord, actor: ServerEventActor) =>
    services.events.raise(`tool.${change}`, { subject: { type: "tool", id: record.id }, actor, data: { name: record.name } });

  app.post(`${prefix}/create`, async (request) => {
    const user = requireVerified(request);
    const { record, loaded } = await createTool(services, user, parseInput(toolFormSchema, request.body));
    request.log.info({ pluginId: record.id }, "tool created");
    raise("created", record, actorOf(user));
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
    const record = await readable(user, parseInput(idParams, request.params).id);
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
    const current = await writable(user, parseInput(idParams, request.params).id);
    const form = parseInput(toolFormSchema.extend({ id: z.string().optional() }), request.body);
    const { record, loaded } = await updateToolCode(services, user, current, form);
    request.log.info({ pluginId: record.id }, "tool updated");
    raise("updated", record, actorOf(user));
    return toolResponseWithStatus(record, user, loaded);
  });

  app.post(`${prefix}/id/:id/access/update`, async (request) => {
    const user = requireVerified(request);
    const record = await writable(user, parseInput(idParams, request.params).id);
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
    const current = await readable(admin, parseInput(idParams, request.params).id);
    const { record, loaded, notices } = await approvePermissions(
      services,
      "tool",
      current,
      parseInput(approveBodySchema, request.body).content_hash,
    );
    request.log.info({ pluginId: record.id, granted: record.meta.permissions }, "tool permissions approved");
    if (record.is_active && !current.is_active) raise("enabled", record, actorOf(admin));
    return { ...toolResponseWithStatus(record, admin, loaded ?? workspace.registry.peek("tool", record.id)), notices };
  });

  app.delete(`${prefix}/id/:id/delete`, async (request) => {
    const user = requireVerified(request);
    const record = await writable(user, parseInput(idParams, request.params).id);
    await deleteTool(db, record.id);
    workspace.remove("tool", record.id);
    request.log.info({ pluginId: record.id }, "tool deleted");
    raise("deleted", record, actorOf(user));
    return true;
  });

  // Admin valves may hold API keys: reading them needs write access (as in Open WebUI), and
  // secrets stay masked for everyone but admins.
  app.get(`${prefix}/id/:id/valves`, async (request) => {
    const user = requireVerified(request);
    const record = await writable(user, parseInput(idParams, request.params).id);
    const plugin = user.role === "admin" ? undefined : await workspace.loaded("tool", record);
    return presentValves(plugin, "valves", record.valves, secrets, user.role === "admin");
  });

  app.get(`${prefix}/id/:id/valves/spec`, async (request) => {
    const user = requireVerified(request);
    const record = await readable(user, parseInput(idParams, request.params).id);
    return valvesSpecFor(await workspace.loaded("tool", record), "valves", readerOf(user), request.log);
  });

  app.post(`${prefix}/id/:id/valves/update`, async (request) => {
    const user = requireVerified(request);
    const record = await writable(user, parseInput(idParams, request.params).id);
    const plugin = await workspace.loaded("tool", record);
    const update = await prepareValvesUpdate(plugin, "valves", request.body, record.valves, secrets);
    await updateTool(db, record.id, { valves: update.sealed });
    request.log.info({ pluginId: record.id }, "tool valves updated");
    raise("valves_updated", record, actorOf(user));
    return presentValves(plugin, "valves", update.sealed, secrets, user.role === "admin");
  });

  app.get(`${prefix}/id/:id/valves/user`, async (request) => {
    const user = requireVerified(request);
    const record = await readable(user, parseInput(idParams, request.params).id);
    return readUserValves(services, "tool", record.id, user, await workspace.loaded("tool", record));
  });

  app.get(`${prefix}/id/:id/valves/user/spec`, async (request) => {
    const user = requireVerified(request);
    const record = await readable(user, parseInput(idParams, request.params).id);
    return valvesSpecFor(await workspace.loaded("tool", record), "userValves", readerOf(user), request.log);
  });

  app.post(`${prefix}/id/:id/valves/user/update`, async (request) => {
    const user = requireVerified(request);
    const record = await readable(user, parseInput(idParams, request.params).id);
    return writeUserValves(services, "tool", record.id, user, await workspace.loaded("tool", record), request.body);
  });
}
