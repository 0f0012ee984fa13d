/** One OpenAI-compatible upstream: where it is and the key it wants. */
export interface OpenAIConnection {
  /** e.g. `https://api.openai.com/v1`, without a trailing slash. */
  baseUrl: string;
  apiKey?: string;
  /** Open WebUI's `prefix_id`: the connection's models are listed as `<prefix>.<id>` (two connections offering one id stay apart). */
  prefixId?: string;
  /**
   * Open WebUI's `model_ids`: only these models. An OpenAI-compatible connection lists them as
   * given without asking `/models`; an Ollama one keeps those of its list that are among them.
   */
  modelIds?: readonly string[];
  /** An Ollama server's OpenAI-compatible API (for `modelIds`). */
  isOllama?: boolean;
}

/** Used when only a key is given, as Open WebUI does. */
const DEFAULT_BASE_URL = "https://api.openai.com/v1";

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return value.split(";").map((item) => item.trim());
}

function single(value: string | undefined): string[] {
  return value?.trim() ? [value.trim()] : [];
}

function parseBaseUrl(value: string, variable: string, position: number): string {
  const label = `${variable} entry ${position + 1}`;
  if (value === "") throw new Error(`${label} is empty (entries are separated by ";")`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${label} is not a valid URL: "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${label} must be an http:// or https:// URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

/**
 * Reads the upstream connections from `OPENAI_API_BASE_URLS` (`;`-separated) or
 * `OPENAI_API_BASE_URL`, with keys from `OPENAI_API_KEYS` (`;`-separated, aligned by position; an
 * empty entry means no key) or `OPENAI_API_KEY` (the first connection's key). A key without any
 * URL means OpenAI itself. Nothing set gives an empty list. Throws on an invalid URL or on more
 * keys than URLs.
 *
 * @example
 * readOpenAIConnections({ OPENAI_API_BASE_URLS: "http://localhost:11434/v1;https://api.openai.com/v1/", OPENAI_API_KEYS: ";sk-1" });
 * // [{ baseUrl: "http://localhost:11434/v1" }, { baseUrl: "https://api.openai.com/v1", apiKey: "sk-1" }]
 */
export function readOpenAIConnections(environment: NodeJS.ProcessEnv): OpenAIConnection[] {
  const urlList = splitList(environment.OPENAI_API_BASE_URLS);
  const urlsVariable = urlList ? "OPENAI_API_BASE_URLS" : "OPENAI_API_BASE_URL";
  let urls = urlList ?? single(environment.OPENAI_API_BASE_URL);
  const keyList = splitList(environment.OPENAI_API_KEYS);
  const keysVariable = keyList ? "OPENAI_API_KEYS" : "OPENAI_API_KEY";
  const keys = keyList ?? single(environment.OPENAI_API_KEY);
  if (urls.length === 0 && keys.some((key) => key !== "")) urls = [DEFAULT_BASE_URL];
  if (keys.slice(urls.length).some((key) => key !== "")) {
    throw new Error(`${keysVariable} has ${keys.length} keys for ${urls.length} URL(s) in ${urlsVariable}; give at most one key per URL`);
  }
  return urls.map((url, index) => {
    const baseUrl = parseBaseUrl(url, urlsVariable, index);
    const apiKey = keys[index];
    return apiKey ? { baseUrl, apiKey } : { baseUrl };
  });
}

/**
 * Reads Ollama servers from `OLLAMA_BASE_URLS` (`;`-separated) or `OLLAMA_BASE_URL`, as Open
 * WebUI names them: each the server's root (`http://localhost:11434`), without `/v1`. Nothing set
 * gives an empty list. Throws on an invalid URL.
 *
 * @example
 * readOllamaBaseUrls({ OLLAMA_BASE_URL: "http://localhost:11434/" }); // ["http://localhost:11434"]
 */
export function readOllamaBaseUrls(environment: NodeJS.ProcessEnv): string[] {
  const urlList = splitList(environment.OLLAMA_BASE_URLS);
  const variable = urlList ? "OLLAMA_BASE_URLS" : "OLLAMA_BASE_URL";
  return (urlList ?? single(environment.OLLAMA_BASE_URL)).map((url, index) => parseBaseUrl(url, variable, index));
}
