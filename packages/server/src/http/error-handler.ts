import type { FastifyError, FastifyInstance } from "fastify";
import { SluiceError } from "@sluice/sdk";
import { ERROR_STATUS } from "./error-status.ts";

interface ErrorBody {
  detail: string;
  code?: string;
  plugin_id?: string;
  hook?: string;
  errors?: unknown;
}

/**
 * The HTTP status of a SluiceError. 401 says "your credentials are no good": clients (ours, Open
 * WebUI's) sign the user out on it, so an error a plugin raised (it names the plugin) never
 * answers 401, whatever code the plugin chose; it answers 400 and keeps its code in the body.
 */
function statusOf(error: SluiceError): number {
  const status = ERROR_STATUS[error.code];
  if (status === 401 && error.pluginId) return ERROR_STATUS.PLUGIN_ERROR;
  return status;
}

/** Turns any thrown value into `{"detail": …}` with a fitting status; never leaks a stack. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | SluiceError | Error, request, reply) => {
    if (SluiceError.isInstance(error)) {
      const body: ErrorBody = { detail: error.message, code: error.code };
      if (error.pluginId) body.plugin_id = error.pluginId;
      if (error.hook) body.hook = error.hook;
      if (error.details !== undefined) body.errors = error.details;
      const status = statusOf(error);
      if (status >= 500) request.log.error({ err: error, pluginId: error.pluginId }, error.message);
      return reply.status(status).send(body);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      return reply.status(422).send({ detail: fastifyError.message, errors: fastifyError.validation });
    }
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.status(413).send({ detail: "Request body is too large" });
    }
    if (fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return reply.status(415).send({ detail: "Unsupported content type; send application/json" });
    }
    if (fastifyError.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || error instanceof SyntaxError) {
      return reply.status(400).send({ detail: `Malformed JSON body: ${error.message}` });
    }
    const statusCode = fastifyError.statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500) {
      return reply.status(statusCode).send({ detail: error.message });
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.status(500).send({ detail: "Internal server error" });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ detail: `Not found: ${request.method} ${request.url.split("?")[0]}` });
  });
}
