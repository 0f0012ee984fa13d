import type { FastifyRequest } from "fastify";
import type { RequestFacts } from "@sluice/sdk";

const MAX_HEADER_LENGTH = 512;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value.join(", ") : value;
  return text === undefined ? undefined : text.slice(0, MAX_HEADER_LENGTH);
}

/**
 * What plugins learn of the HTTP request that started a turn (`ctx.request`, Open WebUI's
 * `__request__`): the server's address as the client used it and two harmless headers. Never
 * credentials (cookies, `Authorization`) nor the client's address.
 */
export function requestFactsOf(request: FastifyRequest): RequestFacts {
  const headers: RequestFacts["headers"] = {};
  const language = header(request, "accept-language");
  const userAgent = header(request, "user-agent");
  if (language !== undefined) headers["accept-language"] = language;
  if (userAgent !== undefined) headers["user-agent"] = userAgent;
  return { baseUrl: `${request.protocol}://${request.host}`.slice(0, MAX_HEADER_LENGTH), headers };
}
