import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { PluginRow } from "@sluice/sdk/wire";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireAdmin, requireVerified } from "../request-user.ts";
import { deleteFunction, findFunction, listFunctions, updateFunction, type FunctionRecord } from "../../db/functions-repository.ts";
import { listUsers } from "../../db/users-repository.ts";
import type { LoadedPlugin } from "../../plugins/load-plugin.ts";
import { createFunction, functionFormSchema, toggleFunctionActive, updateFunctionCode } from "../../workspace/function-saves.ts";
import { loadFromUrl } from "../../workspace/load-from-url.ts";
import { presentValves, prepareValvesUpdate, readerOf, valvesSpecFor } from "../../workspace/plugin-valves.ts";
import { readUserValves, writeUserValves } from "../../workspace/user-valves.ts";
import { importPlugins, pluginImportSchema } from "../../workspace/import-plugins.ts";
import { approveBodySchema, approvePermissions } from "../../workspace/approve-permissions.ts";
import { actorOf } from "../../workspace/event-plugins.ts";
import type { ServerEventActor } from "@sluice/sdk";

type FunctionEventName = "created" | "updated" | "enabled" | "disabled" | "deleted" | "valves_updated";

const idParams = z.object({ id: z.string() });

/** `GET …/export?include_valves=true` (functions and tools). */
export const exportQuery = z.object({ include_valves: z.stringbool({ error: "include_valves must be true or false" }).optional() });

/** The row as the API shows it; `loaded_at` (ms) tells when the cached isolate was loaded. */
function functionResponse(record: FunctionRecord, loaded?: LoadedPlugin, options: { includeContent?: boolean } = {}): PluginRow {
  // `content_hash` identifies the code shown: an approval sends it back (see approvePermissions).
  const { valves: _valves, content, ...rest } = record;
  return {
    ...rest,
    ...(options.includeContent === false ? {} : { content }),
    loaded_at: loaded?.loadedAt ?? null,
  };
}

/** `/api/v1/functions/…`: pipes, filters and actions; admins manage them. */
export function registerFunctionRoutes(app: FastifyInstance, services: AppServices): void {
  const { db, workspace, secrets } = services;
  const prefix = "/api/v1/functions";
  const raise = (change: FunctionEventName, record: FunctionRecord, actor: ServerEventActor) =>
    services.events.raise(`function.${change}`, {
      subject: { type: "function", id: record.id },
      actor,
      data: { name: record.name, type: record.type },
    });
  // Why the plugin does not load on this instance only (its npm registry unreachable, an older
  // server version): this instance's own report, not written to the shared row.
  const functionResponseWithStatus = (...args: Parameters<typeof functionResponse>) => ({
    ...functionResponse(...args),
    instance_load_error: workspace.localLoadError("function", args[0].id),
  });

  async function requireFunction(id: string): Promise<FunctionRecord> {
    const record = await findFunction(db, id);
    if (!record) throw new SluiceError("NOT_FOUND", `Function not found: ${id}`);
    return record;
  }

  app.get(`${prefix}/`, async (request) => {
    requireVerified(request);
    return (await listFunctions(db)).map((record) =>
      functionResponseWithStatus(record, workspace.registry.peek("function", record.id), { includeContent: false }),
    );
  });

  app.get(`${prefix}/list`, async (request) => {
    requireAdmin(request);
    const users = new Map((await listUsers(db)).map((user) => [user.id, user]));
    return (await listFunctions(db)).map((record) => {
      const owner = users.get(record.user_id);
      return {
        ...functionResponseWithStatus(record, workspace.registry.peek("function", record.id), { includeContent: false }),
        user: owner ? { id: owner.id, name: owner.name, email: owner.email, role: owner.role } : null,
      };
    });
  });

  app.get(`${prefix}/export`, async (request) => {
    requireAdmin(request);
    const includeValves = parseInput(exportQuery, request.query).include_valves === true;
    return (await listFunctions(db)).map(({ content_hash: _hash, valves, ...record }) =>
      includeValves ? { ...record, valves: presentValves(undefined, "valves", valves, secrets, true) } : record,
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
    const admin = requireAdmin(request);
    const { record, loaded } = await createFunction(services, admin.id, parseInput(functionFormSchema, request.body));
    request.log.info({ pluginId: record.id }, "function created");
    raise("created", record, actorOf(admin));
    return functionResponseWithStatus(record, loaded);
  });

  app.post(`${prefix}/sync`, async (request) => {
    const admin = requireAdmin(request);
    return importPlugins(services, "function", admin, parseInput(pluginImportSchema("functions"), request.body));
  });

  app.post(`${prefix}/import`, async (request) => {
    const admin = requireAdmin(request);
    return importPlugins(services, "function", admin, parseInput(pluginImportSchema("functions"), request.body));
  });

  app.get(`${prefix}/id/:id`, async (request) => {
    requireAdmin(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    let loaded: LoadedPlugin | undefined;
    try {
      loaded = await workspace.loaded("function", record);
    } catch {
      // The row now carries the load error, which is what an admin needs to see.
    }
    return functionResponseWithStatus(record, loaded);
  });

  app.post(`${prefix}/id/:id/update`, async (request) => {
    const admin = requireAdmin(request);
    const current = await requireFunction(parseInput(idParams, request.params).id);
    const form = parseInput(functionFormSchema.extend({ id: z.string().optional() }), request.body);
    const { record, loaded } = await updateFunctionCode(services, current, form, admin.id);
    request.log.info({ pluginId: record.id }, "function updated");
    raise("updated", record, actorOf(admin));
    return functionResponseWithStatus(record, loaded);
  });

  app.post(`${prefix}/id/:id/toggle`, async (request) => {
    const admin = requireAdmin(request);
    const current = await requireFunction(parseInput(idParams, request.params).id);
    // An event plugin being switched off hears it first, and is waited for (up to its time limit).
    if (current.is_active) await services.eventPlugins.announceDisable(current, actorOf(admin));
    const { record, loaded } = await toggleFunctionActive(services, current);
    raise(record.is_active ? "enabled" : "disabled", record, actorOf(admin));
    return functionResponseWithStatus(record, loaded ?? workspace.registry.peek("function", record.id));
  });

  /**
   * An admin grants a function every permission its frontmatter asks for (`meta.permissions`), as
   * for tools. A function asking for `permissions: node` (the trusted tier) is stored but never run,
   * nor activated, until this: it then starts in its own Node.js process. `notices` says plainly
   * what was granted (the trusted tier has network access and a whole CPU core).
   */
  app.post(`${prefix}/id/:id/permissions/approve`, async (request) => {
    requireAdmin(request);
    const current = await requireFunction(parseInput(idParams, request.params).id);
    const { record, loaded, notices } = await approvePermissions(
      services,
      "function",
      current,
      parseInput(approveBodySchema, request.body).content_hash,
    );
    request.log.info({ pluginId: record.id, granted: record.meta.permissions }, "function permissions approved");
    return { ...functionResponseWithStatus(record, loaded ?? workspace.registry.peek("function", record.id)), notices };
  });

  app.post(`${prefix}/id/:id/toggle/global`, async (request) => {
    requireAdmin(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    const updated = await updateFunction(db, record.id, { is_global: !record.is_global });
    return functionResponseWithStatus(updated!, workspace.registry.peek("function", record.id));
  });

  app.delete(`${prefix}/id/:id/delete`, async (request) => {
    const admin = requireAdmin(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    if (record.is_active) await services.eventPlugins.announceDisable(record, actorOf(admin));
    await deleteFunction(db, record.id);
    workspace.remove("function", record.id);
    request.log.info({ pluginId: record.id }, "function deleted");
    raise("deleted", record, actorOf(admin));
    return true;
  });

  app.get(`${prefix}/id/:id/valves`, async (request) => {
    requireAdmin(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    return presentValves(undefined, "valves", record.valves, secrets, true);
  });

  app.get(`${prefix}/id/:id/valves/spec`, async (request) => {
    const admin = requireAdmin(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    return valvesSpecFor(await workspace.loaded("function", record), "valves", readerOf(admin), request.log);
  });

  app.post(`${prefix}/id/:id/valves/update`, async (request) => {
    const admin = requireAdmin(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    const update = await prepareValvesUpdate(await workspace.loaded("function", record), "valves", request.body, record.valves, secrets);
    await updateFunction(db, record.id, { valves: update.sealed });
    request.log.info({ pluginId: record.id }, "function valves updated");
    raise("valves_updated", record, actorOf(admin));
    return update.opened;
  });

  app.get(`${prefix}/id/:id/valves/user`, async (request) => {
    const user = requireVerified(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    return readUserValves(services, "function", record.id, user, await workspace.loaded("function", record));
  });

  app.get(`${prefix}/id/:id/valves/user/spec`, async (request) => {
    const user = requireVerified(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    return valvesSpecFor(await workspace.loaded("function", record), "userValves", readerOf(user), request.log);
  });

  app.post(`${prefix}/id/:id/valves/user/update`, async (request) => {
    const user = requireVerified(request);
    const record = await requireFunction(parseInput(idParams, request.params).id);
    return writeUserValves(services, "function", record.id, user, await workspace.loaded("function", record), request.body);
  });
}
