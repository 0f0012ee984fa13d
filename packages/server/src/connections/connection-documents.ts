import type { ConnectionConfig, OllamaConfig, OpenAIConfig } from "@sluice/sdk/wire";
import { z } from "zod";
import type { OpenAIConnection } from "../providers/read-openai-connections.ts";

// The shapes of Open WebUI's `/openai/config` and `/ollama/config` (lists aligned by position,
// a free-form config per position) are declared once in @sluice/sdk/wire, for the web UI too.
export type { ConnectionConfig, OllamaConfig, OpenAIConfig } from "@sluice/sdk/wire";

/** The most connections of one kind. */
export const MAX_CONNECTIONS = 64;
const MAX_KEY_LENGTH = 4096;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const baseUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine(isHttpUrl, "must be an http:// or https:// URL")
  .transform((url) => url.replace(/\/+$/, ""));

const keySchema = z.string().trim().max(MAX_KEY_LENGTH);

const connectionConfigSchema = z.looseObject({
  enable: z.boolean().optional(),
  key: keySchema.optional(),
  auth_type: z.string().max(64).optional(),
});

const configsSchema = z.record(z.string().max(16), connectionConfigSchema);

/** `POST /openai/config/update`: `ENABLE_OPENAI_API` left out (or null) keeps the current value. */
export const openaiConfigFormSchema = z.object({
  ENABLE_OPENAI_API: z.boolean().nullish(),
  OPENAI_API_BASE_URLS: z.array(baseUrlSchema).max(MAX_CONNECTIONS),
  OPENAI_API_KEYS: z
    .array(keySchema)
    .max(MAX_CONNECTIONS * 2)
    .default([]),
  OPENAI_API_CONFIGS: configsSchema.default({}),
});

/** `POST /ollama/config/update`. */
export const ollamaConfigFormSchema = z.object({
  ENABLE_OLLAMA_API: z.boolean().nullish(),
  OLLAMA_BASE_URLS: z.array(baseUrlSchema).max(MAX_CONNECTIONS),
  OLLAMA_API_CONFIGS: configsSchema.default({}),
});

/** The stored forms (keys sealed by the caller); parsed again when read back. */
export const storedOpenAIConfigSchema = z.object({
  ENABLE_OPENAI_API: z.boolean(),
  OPENAI_API_BASE_URLS: z.array(z.string()),
  OPENAI_API_KEYS: z.array(z.string()),
  OPENAI_API_CONFIGS: z.record(z.string(), connectionConfigSchema),
});
export const storedOllamaConfigSchema = z.object({
  ENABLE_OLLAMA_API: z.boolean(),
  OLLAMA_BASE_URLS: z.array(z.string()),
  OLLAMA_API_CONFIGS: z.record(z.string(), connectionConfigSchema),
});

/** The configs of positions that exist, as Open WebUI keeps them (others dropped). */
function configsInRange(configs: Record<string, ConnectionConfig>, count: number): Record<string, ConnectionConfig> {
  const kept: Record<string, ConnectionConfig> = {};
  for (let index = 0; index < count; index += 1) {
    const config = configs[String(index)];
    if (config) kept[String(index)] = config;
  }
  return kept;
}

/** An update applied to the current config: one key per URL (missing ones empty, extra ones dropped). */
export function updatedOpenAIConfig(current: OpenAIConfig, form: z.output<typeof openaiConfigFormSchema>): OpenAIConfig {
  const urls = form.OPENAI_API_BASE_URLS;
  return {
    ENABLE_OPENAI_API: form.ENABLE_OPENAI_API ?? current.ENABLE_OPENAI_API,
    OPENAI_API_BASE_URLS: urls,
    OPENAI_API_KEYS: urls.map((_url, index) => form.OPENAI_API_KEYS[index] ?? ""),
    OPENAI_API_CONFIGS: configsInRange(form.OPENAI_API_CONFIGS, urls.length),
  };
}

export function updatedOllamaConfig(current: OllamaConfig, form: z.output<typeof ollamaConfigFormSchema>): OllamaConfig {
  return {
    ENABLE_OLLAMA_API: form.ENABLE_OLLAMA_API ?? current.ENABLE_OLLAMA_API,
    OLLAMA_BASE_URLS: form.OLLAMA_BASE_URLS,
    OLLAMA_API_CONFIGS: configsInRange(form.OLLAMA_API_CONFIGS, form.OLLAMA_BASE_URLS.length),
  };
}

/**
 * The connections chats use, in order: the OpenAI-compatible ones, then each Ollama server's
 * OpenAI-compatible API (`<url>/v1`). Switched-off connections, and every connection of a kind
 * switched off as a whole, are left out.
 *
 * @example
 * activeConnections(
 *   { ENABLE_OPENAI_API: true, OPENAI_API_BASE_URLS: ["https://api.openai.com/v1"], OPENAI_API_KEYS: ["sk-1"], OPENAI_API_CONFIGS: {} },
 *   { ENABLE_OLLAMA_API: true, OLLAMA_BASE_URLS: ["http://localhost:11434"], OLLAMA_API_CONFIGS: { "0": { enable: false } } },
 * ); // [{ baseUrl: "https://api.openai.com/v1", apiKey: "sk-1" }]
 */
export function activeConnections(openai: OpenAIConfig, ollama: OllamaConfig): OpenAIConnection[] {
  const connections: OpenAIConnection[] = [];
  const add = (baseUrl: string, key: string | undefined, config: ConnectionConfig | undefined, isOllama = false) => {
    if (config?.enable === false) return;
    const apiKey = config?.auth_type === "none" ? undefined : key || undefined;
    const connection: OpenAIConnection = apiKey ? { baseUrl, apiKey } : { baseUrl };
    // Read leniently: a stored config is free-form, and a malformed field must not stop the connection.
    const prefixId = typeof config?.prefix_id === "string" ? config.prefix_id.trim() : "";
    if (prefixId) connection.prefixId = prefixId;
    const modelIds = Array.isArray(config?.model_ids)
      ? config.model_ids.filter((id): id is string => typeof id === "string" && id.trim() !== "").map((id) => id.trim())
      : [];
    if (modelIds.length > 0) connection.modelIds = modelIds;
    if (isOllama) connection.isOllama = true;
    connections.push(connection);
  };
  if (openai.ENABLE_OPENAI_API) {
    openai.OPENAI_API_BASE_URLS.forEach((url, index) => add(url, openai.OPENAI_API_KEYS[index], openai.OPENAI_API_CONFIGS[String(index)]));
  }
  if (ollama.ENABLE_OLLAMA_API) {
    ollama.OLLAMA_BASE_URLS.forEach((url, index) => {
      const config = ollama.OLLAMA_API_CONFIGS[String(index)];
      add(`${url}/v1`, config?.key, config, true);
    });
  }
  return connections;
}
