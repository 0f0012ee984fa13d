/**
 * A connection's free-form settings, as Open WebUI keeps them per position (`"0"`, `"1"`, …);
 * Sluice reads `enable` (false = switched off), `key` (Ollama's key), `auth_type` (`"none"` =
 * send no key), `prefix_id` (the models are listed as `<prefix>.<id>`) and `model_ids` (only
 * these models). Other fields (`tags`, …) are kept as given.
 */
export type ConnectionConfig = { enable?: boolean; key?: string; auth_type?: string } & Record<string, unknown>;

/** Open WebUI's `/openai/config`: lists aligned by position, and a config per position. */
export interface OpenAIConfig {
  ENABLE_OPENAI_API: boolean;
  OPENAI_API_BASE_URLS: string[];
  OPENAI_API_KEYS: string[];
  OPENAI_API_CONFIGS: Record<string, ConnectionConfig>;
}

/** Open WebUI's `/ollama/config`: an Ollama server's key lives in its config (`key`). */
export interface OllamaConfig {
  ENABLE_OLLAMA_API: boolean;
  OLLAMA_BASE_URLS: string[];
  OLLAMA_API_CONFIGS: Record<string, ConnectionConfig>;
}
