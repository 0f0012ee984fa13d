import type { ConnectionConfig, OllamaConfig, OpenAIConfig } from "@sluice/sdk/wire";
import { api } from "../api/api-client.ts";

export type { ConnectionConfig, OllamaConfig, OpenAIConfig };

export type ConnectionKind = "openai" | "ollama";

/** One connection of either kind, as the Connections page lists it. */
export interface Connection {
  kind: ConnectionKind;
  /** Its position in its kind's lists. */
  index: number;
  url: string;
  key: string;
  isEnabled: boolean;
  config: ConnectionConfig;
}

/** What a connection's test found: how many models it offers (and Ollama's version). */
export interface ConnectionCheck {
  modelCount: number;
  version?: string;
}

/** Both kinds' connections, OpenAI-compatible ones first. */
export function connectionsOf(openai: OpenAIConfig, ollama: OllamaConfig): Connection[] {
  const openaiConnections = openai.OPENAI_API_BASE_URLS.map((url, index) => {
    const config = openai.OPENAI_API_CONFIGS[String(index)] ?? {};
    return { kind: "openai" as const, index, url, key: openai.OPENAI_API_KEYS[index] ?? "", isEnabled: config.enable !== false, config };
  });
  const ollamaConnections = ollama.OLLAMA_BASE_URLS.map((url, index) => {
    const config = ollama.OLLAMA_API_CONFIGS[String(index)] ?? {};
    return { kind: "ollama" as const, index, url, key: config.key ?? "", isEnabled: config.enable !== false, config };
  });
  return [...openaiConnections, ...ollamaConnections];
}

/** A key as the page shows it: its start and its last four characters, never the whole. */
export function maskKey(key: string): string {
  if (key === "") return "no key";
  if (key.length <= 8) return "••••";
  return `${key.slice(0, 3)}…${key.slice(-4)}`;
}

/** The fields of one connection, as the dialog edits them. */
export interface ConnectionFields {
  url: string;
  key: string;
  isEnabled: boolean;
  /** `prefix_id`: the connection's models are listed as `<prefix>.<id>`; "" for none. Left out: unchanged. */
  prefixId?: string;
  /** `model_ids`: only these models; empty for every model the connection lists. Left out: unchanged. */
  modelIds?: string[];
}

/** The config fields the dialog sets, over what the config had. */
function withFields(previous: ConnectionConfig, fields: ConnectionFields): ConnectionConfig {
  const config: ConnectionConfig = { ...previous, enable: fields.isEnabled };
  if (fields.prefixId !== undefined) config.prefix_id = fields.prefixId.trim();
  if (fields.modelIds !== undefined) config.model_ids = fields.modelIds.map((id) => id.trim()).filter((id) => id !== "");
  return config;
}

/** A connection's `prefix_id` and `model_ids` as the dialog shows them (malformed values as none). */
export function modelSettingsOf(config: ConnectionConfig): { prefixId: string; modelIds: string[] } {
  return {
    prefixId: typeof config.prefix_id === "string" ? config.prefix_id : "",
    modelIds: Array.isArray(config.model_ids) ? config.model_ids.filter((id): id is string => typeof id === "string") : [],
  };
}

/** Keeps the positions of a kind's configs in step when one connection is removed. */
function shiftedConfigs(configs: Record<string, ConnectionConfig>, removed: number): Record<string, ConnectionConfig> {
  const shifted: Record<string, ConnectionConfig> = {};
  for (const [position, config] of Object.entries(configs)) {
    const index = Number(position);
    if (index < removed) shifted[position] = config;
    else if (index > removed) shifted[String(index - 1)] = config;
  }
  return shifted;
}

/** The OpenAI config with connection `index` set to `fields` (`index` past the end adds one). */
export function withOpenAIConnection(config: OpenAIConfig, index: number, fields: ConnectionFields): OpenAIConfig {
  const urls = [...config.OPENAI_API_BASE_URLS];
  const keys = urls.map((_url, position) => config.OPENAI_API_KEYS[position] ?? "");
  urls[index] = fields.url;
  keys[index] = fields.key;
  const previous = config.OPENAI_API_CONFIGS[String(index)] ?? {};
  return {
    ...config,
    OPENAI_API_BASE_URLS: urls,
    OPENAI_API_KEYS: keys,
    OPENAI_API_CONFIGS: { ...config.OPENAI_API_CONFIGS, [String(index)]: withFields(previous, fields) },
  };
}

export function withoutOpenAIConnection(config: OpenAIConfig, index: number): OpenAIConfig {
  return {
    ...config,
    OPENAI_API_BASE_URLS: config.OPENAI_API_BASE_URLS.filter((_url, position) => position !== index),
    OPENAI_API_KEYS: config.OPENAI_API_KEYS.filter((_key, position) => position !== index),
    OPENAI_API_CONFIGS: shiftedConfigs(config.OPENAI_API_CONFIGS, index),
  };
}

export function withOllamaConnection(config: OllamaConfig, index: number, fields: ConnectionFields): OllamaConfig {
  const urls = [...config.OLLAMA_BASE_URLS];
  urls[index] = fields.url;
  const previous = config.OLLAMA_API_CONFIGS[String(index)] ?? {};
  return {
    ...config,
    OLLAMA_BASE_URLS: urls,
    OLLAMA_API_CONFIGS: { ...config.OLLAMA_API_CONFIGS, [String(index)]: { ...withFields(previous, fields), key: fields.key } },
  };
}

export function withoutOllamaConnection(config: OllamaConfig, index: number): OllamaConfig {
  return {
    ...config,
    OLLAMA_BASE_URLS: config.OLLAMA_BASE_URLS.filter((_url, position) => position !== index),
    OLLAMA_API_CONFIGS: shiftedConfigs(config.OLLAMA_API_CONFIGS, index),
  };
}

export const connectionApi = {
  openai: () => api.get<OpenAIConfig>("/openai/config"),
  ollama: () => api.get<OllamaConfig>("/ollama/config"),
  updateOpenAI: (config: OpenAIConfig) => api.post<OpenAIConfig>("/openai/config/update", config),
  updateOllama: (config: OllamaConfig) => api.post<OllamaConfig>("/ollama/config/update", config),
  /** Asks the connection for its models (`/openai/verify`, `/ollama/verify`); throws with the reason it cannot be used. */
  async check(kind: ConnectionKind, url: string, key: string, config: ConnectionConfig = {}): Promise<ConnectionCheck> {
    if (kind === "openai") {
      const answer = await api.post<{ data?: unknown[] } | unknown[]>("/openai/verify", { url, key, config });
      const models = Array.isArray(answer) ? answer : (answer.data ?? []);
      return { modelCount: models.length };
    }
    const answer = await api.post<{ version: string; models?: unknown[] }>("/ollama/verify", { url, key });
    return { modelCount: answer.models?.length ?? 0, version: answer.version };
  },
  /** A local Ollama the server found, to offer when nothing is configured. */
  detectOllama: () => api.get<{ url: string | null; version: string | null }>("/ollama/detect"),
};
