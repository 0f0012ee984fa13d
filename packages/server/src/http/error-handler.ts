import type { FastifyError, FastifyInstance } from "fastify";
import { SluiceError, toSluiceError, type ErrorCode } from "@sluice/sdk";
import { ERROR_STATUS, errorBody, httpStatusOf } from "./error-status.ts";

const INTERNAL_MESSAGE = "Internal server error";

/**
 * Fastify's own errors (body parsing, limits) and anything else thrown, as SluiceErrors. A value
 * that is neither keeps nothing of its message: it could hold internals.
 */
function fromThrown(error: unknown): SluiceError {
  if (SluiceError.isInstance(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  const message = error instanceof Error ? error.message : String(error);
  if (fastifyError.validation) return new SluiceError("INVALID_INPUT", message, { details: fastifyError.validation, cause: error });
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return new SluiceError("PAYLOAD_TOO_LARGE", "Request body is too large", { cause: error });
  if (fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return new SluiceError("UNSUPPORTED_MEDIA_TYPE", "Unsupported content type; send application/json", { cause: error });
  }
  if (fastifyError.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || error instanceof SyntaxError) {
    return new SluiceError("INVALID_INPUT", `Malformed JSON body: ${message}`, { cause: error });
  }
  const statusCode = fastifyError.statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    // A Fastify plugin's client error: the code of its status (the first in the table), else a plain 400.
    const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((candidate) => ERROR_STATUS[candidate] === statusCode) ?? "INVALID_INPUT";
    return new SluiceError(code, message, { cause: error });
  }
  return toSluiceError(error, { code: "INTERNAL", message: INTERNAL_MESSAGE });
}

/**
 * Turns any thrown value into `{"detail", "code", …}` ({@link errorBody}) with the status of its
 * code (the one table, `error-status.ts`); never leaks a stack. Errors answered with a 5xx are
 * logged with their cause.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((thrown: unknown, request, reply) => {
    const error = fromThrown(thrown);
    const status = httpStatusOf(error);
    if (status >= 500) request.log.error({ err: thrown, pluginId: error.pluginId }, error.message);
    return reply.status(status).send(errorBody(error));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new SluiceError("NOT_FOUND", `Not found: ${request.method} ${request.url.split("?")[0]}`);
    reply.status(httpStatusOf(error)).send(errorBody(error));
  });
}
