import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { canRead, canWrite } from "../../core/access-control.ts";
import { modelIdSchema } from "../../core/model-id.ts";
import { isUniqueViolation } from "../../db/is-unique-violation.ts";
import {
  deleteModel,
  findModel,
  insertModel,
  listModels,
  type ModelRecord,
  modelMetaSchema,
  modelParamsSchema,
  updateModel,
} from "../../db/models-repository.ts";
import { accessControlSchema } from "../../db/tools-repository.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { type RequestUser, requireAdmin, requireVerified } from "../request-user.ts";

/** An id to look up: rows stored before the id rule keep working; control characters never reach the database. */
const lookupId = z
  .string()
  .trim()
  .min(1, "id is required")
  .max(256, "id is too long (256 characters at most)")
  .regex(/^[^\u0000-\u001f\u007f]*$/, "id may not hold control characters");

const modelFormSchema = z.object({
  id: modelIdSchema,
  name: z.string().trim().min(1, "name is required"),
  base_model_id: modelIdSchema.nullable().optional(),
  meta: modelMetaSchema.default({}),
  params: modelParamsSchema.default({}),
  access_control: accessControlSchema.optional(),
  is_active: z.boolean().optional(),
});

const modelUpdateSchema = modelFormSchema
  .partial()
  .extend({ id: lookupId.optional(), meta: modelMetaSchema.optional(), params: modelParamsSchema.optional() });
const idQuery = z.object({ id: lookupId.optional() });

function modelResponse(record: ModelRecord, user: RequestUser) {
  return { ...record, write_access: canWrite(user, record) };
}

/**
 * `/api/v1/models/…`: rows holding the settings of an upstream or pipe model
 * (same id, no `base_model_id`) and custom models built on another. Their `meta` attaches
 * filters, actions and tools. Read access follows `access_control` as for tools.
 */
export function registerModelRoutes(app: FastifyInstance, services: AppServices): void {
  const { db } = services;
  const prefix = "/api/v1/models";

  function requestedId(request: FastifyRequest, bodyId?: string): string {
    const { id } = parseInput(idQuery, request.query);
    if (id && bodyId && id !== bodyId)
      throw new SluiceError("INVALID_INPUT", `The id in the query (${id}) and in the body (${bodyId}) differ; a model's id cannot change`);
    const chosen = id ?? bodyId;
    if (!chosen) throw new SluiceError("INVALID_INPUT", "id is required: pass ?id=<model id>");
    return chosen;
  }

  /** A model the caller may not read is reported missing, so ids don't leak. */
  async function readableModel(user: RequestUser, id: string): Promise<ModelRecord> {
    const record = await findModel(db, id);
    if (!record || !canRead(user, record)) throw new SluiceError("NOT_FOUND", `Model not found: ${id}`);
    return record;
  }

  async function writableModel(user: RequestUser, id: string): Promise<ModelRecord> {
    const record = await readableModel(user, id);
    if (!canWrite(user, record)) throw new SluiceError("FORBIDDEN", `You may not change the model ${id}`);
    return record;
  }

  app.get(`${prefix}/`, async (request) => {
    const user = requireVerified(request);
    return (await listModels(db)).filter((record) => canRead(user, record)).map((record) => modelResponse(record, user));
  });

  app.post(`${prefix}/create`, async (request) => {
    const admin = requireAdmin(request);
    const form = parseInput(modelFormSchema, request.body);
    if (form.base_model_id === form.id)
      throw new SluiceError("INVALID_INPUT", "A model cannot be built on itself: base_model_id equals id");
    try {
      // No access control means public read, as in Open WebUI: a settings row must not hide its model.
      const record = await insertModel(db, { ...form, user_id: admin.id, access_control: form.access_control ?? null });
      request.log.info({ modelId: record.id }, "model created");
      return modelResponse(record, admin);
    } catch (error) {
      if (isUniqueViolation(error)) throw new SluiceError("ALREADY_EXISTS", `The model id "${form.id}" is already taken`);
      throw error;
    }
  });

  app.get(`${prefix}/model`, async (request) => {
    const user = requireVerified(request);
    return modelResponse(await readableModel(user, requestedId(request)), user);
  });

  app.post(`${prefix}/model/update`, async (request) => {
    const user = requireVerified(request);
    const form = parseInput(modelUpdateSchema, request.body);
    const current = await writableModel(user, requestedId(request, form.id));
    const { id: _id, ...changes } = form;
    if (changes.base_model_id === current.id)
      throw new SluiceError("INVALID_INPUT", "A model cannot be built on itself: base_model_id equals id");
    const record = await updateModel(db, current.id, changes);
    if (!record) throw new SluiceError("NOT_FOUND", `Model not found: ${current.id}`);
    request.log.info({ modelId: record.id }, "model updated");
    return modelResponse(record, user);
  });

  app.post(`${prefix}/model/toggle`, async (request) => {
    const user = requireVerified(request);
    const current = await writableModel(user, requestedId(request));
    const record = await updateModel(db, current.id, { is_active: !current.is_active });
    if (!record) throw new SluiceError("NOT_FOUND", `Model not found: ${current.id}`);
    return modelResponse(record, user);
  });

  app.delete(`${prefix}/model/delete`, async (request) => {
    const user = requireVerified(request);
    const { id: bodyId } = parseInput(idQuery, request.body);
    const current = await writableModel(user, requestedId(request, bodyId));
    await deleteModel(db, current.id);
    request.log.info({ modelId: current.id }, "model deleted");
    return true;
  });
}
