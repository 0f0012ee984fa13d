import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ollamaConfigFormSchema, openaiConfigFormSchema } from "../../connections/connection-documents.ts";
import { fetchConnectionModels } from "../../providers/fetch-connection-models.ts";
import { detectOllama, fetchOllamaStatus } from "../../providers/fetch-ollama-status.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireAdmin } from "../request-user.ts";

/** How long testing a connection may take. */
const VERIFY_TIMEOUT_MS = 10_000;
/** Looking for a local Ollama must not hold the admin page up. */
const DETECT_TIMEOUT_MS = 1_000;

const baseUrl = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(2048)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "must be an http:// or https:// URL")
  .transform((value) => value.replace(/\/+$/, ""));

const openaiVerifySchema = z.object({
  url: baseUrl,
  key: z.string().trim().max(4096).optional(),
  config: z.looseObject({ auth_type: z.string().optional() }).nullish(),
});

const ollamaVerifySchema = z.object({ url: baseUrl, key: z.string().trim().max(4096).nullish() });

/**
 * The upstream connections, with Open WebUI's paths and shapes (admins only):
 * `GET /openai/config`, `POST /openai/config/update`, `POST /openai/verify` (the upstream's
 * `/models` answer), the same for `/ollama` (its verify answers `{version, models}`), and
 * `GET /ollama/detect`: a local Ollama the Connections page may offer to add.
 */
export function registerConnectionRoutes(app: FastifyInstance, services: AppServices): void {
  const { connections, config } = services;

  app.get("/openai/config", async (request) => {
    requireAdmin(request);
    return connections.openai;
  });

  app.post("/openai/config/update", async (request) => {
    requireAdmin(request);
    return connections.updateOpenAI(parseInput(openaiConfigFormSchema, request.body));
  });

  app.post("/openai/verify", async (request) => {
    requireAdmin(request);
    const form = parseInput(openaiVerifySchema, request.body);
    const apiKey = form.config?.auth_type === "none" ? undefined : form.key || undefined;
    const models = await fetchConnectionModels({ baseUrl: form.url, apiKey }, 0, { timeoutMs: VERIFY_TIMEOUT_MS, fetch });
    return { object: "list", data: models.map((model) => model.raw) };
  });

  app.get("/ollama/config", async (request) => {
    requireAdmin(request);
    return connections.ollama;
  });

  app.post("/ollama/config/update", async (request) => {
    requireAdmin(request);
    return connections.updateOllama(parseInput(ollamaConfigFormSchema, request.body));
  });

  app.post("/ollama/verify", async (request) => {
    requireAdmin(request);
    const form = parseInput(ollamaVerifySchema, request.body);
    return fetchOllamaStatus(form.url, form.key || undefined, { timeoutMs: VERIFY_TIMEOUT_MS, fetch });
  });

  app.get("/ollama/detect", async (request) => {
    requireAdmin(request);
    const url = config.ollamaProbeUrl;
    const version = url ? await detectOllama(url, { timeoutMs: DETECT_TIMEOUT_MS, fetch }) : undefined;
    return version ? { url, version } : { url: null, version: null };
  });
}
