import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Config } from "../config.ts";
import { getConfigValue, insertConfigValueIfAbsent, setConfigValue } from "../db/config-repository.ts";
import type { Database } from "../db/schema.ts";
import type { OpenAIUpstream } from "../providers/openai-upstream.ts";
import { isSealed, type SecretBox } from "../valves/secret-box.ts";
import {
  activeConnections,
  type ConnectionConfig,
  type OllamaConfig,
  type OpenAIConfig,
  type ollamaConfigFormSchema,
  type openaiConfigFormSchema,
  storedOllamaConfigSchema,
  storedOpenAIConfigSchema,
  updatedOllamaConfig,
  updatedOpenAIConfig,
} from "./connection-documents.ts";
import { type ConnectionChangeFeed, LOCAL_CONNECTION_FEED } from "./connection-change-feed.ts";

const OPENAI_KEY = "connections.openai";
const OLLAMA_KEY = "connections.ollama";

const EMPTY_OPENAI: OpenAIConfig = { ENABLE_OPENAI_API: true, OPENAI_API_BASE_URLS: [], OPENAI_API_KEYS: [], OPENAI_API_CONFIGS: {} };
const EMPTY_OLLAMA: OllamaConfig = { ENABLE_OLLAMA_API: true, OLLAMA_BASE_URLS: [], OLLAMA_API_CONFIGS: {} };

type SeedConfig = Pick<Config, "openaiConnections" | "ollamaBaseUrls" | "enableOpenAIApi" | "enableOllamaApi">;

export interface ConnectionSettingsOptions {
  db: Kysely<Database>;
  /** Seals the API keys at rest. */
  secrets: SecretBox;
  /** Gets the active connections at start and after every change. */
  upstream: Pick<OpenAIUpstream, "setConnections">;
  logger: Pick<Logger, "info" | "warn">;
}

/**
 * The upstream connections (OpenAI-compatible and Ollama), stored in the database (`config` rows
 * `connections.openai` and `connections.ollama`, keys sealed) and handed to the upstream client
 * whenever they change, here or (through the change feed) on another instance. The environment
 * (`OPENAI_API_BASE_URL(S)`, `OLLAMA_BASE_URL(S)`, …) seeds them once, while nothing is stored.
 *
 * @example
 * const connections = new ConnectionSettings({ db, secrets, upstream, logger });
 * await connections.start(config);
 * await connections.updateOpenAI(form); // chats use the new list at once
 */
export class ConnectionSettings {
  #options: ConnectionSettingsOptions;
  #openai: OpenAIConfig = EMPTY_OPENAI;
  #ollama: OllamaConfig = EMPTY_OLLAMA;
  #feed: ConnectionChangeFeed = LOCAL_CONNECTION_FEED;

  constructor(options: ConnectionSettingsOptions) {
    this.#options = options;
  }

  /** Seeds the stored connections from the environment when none are stored, then loads them. */
  async start(config: SeedConfig): Promise<void> {
    const { db, logger } = this.#options;
    const seedOpenAI: OpenAIConfig = {
      ENABLE_OPENAI_API: config.enableOpenAIApi,
      OPENAI_API_BASE_URLS: config.openaiConnections.map((connection) => connection.baseUrl),
      OPENAI_API_KEYS: config.openaiConnections.map((connection) => connection.apiKey ?? ""),
      OPENAI_API_CONFIGS: {},
    };
    const seedOllama: OllamaConfig = {
      ENABLE_OLLAMA_API: config.enableOllamaApi,
      OLLAMA_BASE_URLS: config.ollamaBaseUrls,
      OLLAMA_API_CONFIGS: {},
    };
    // Nothing in the environment stores nothing, so setting it later still seeds.
    const seeds: [string, string, unknown, boolean][] = [
      [OPENAI_KEY, "OPENAI_API_BASE_URL(S)", this.#sealOpenAI(seedOpenAI), seedOpenAI.OPENAI_API_BASE_URLS.length > 0],
      [OLLAMA_KEY, "OLLAMA_BASE_URL(S)", this.#sealOllama(seedOllama), seedOllama.OLLAMA_BASE_URLS.length > 0],
    ];
    for (const [key, variable, value, hasSeed] of seeds) {
      if (!hasSeed) continue;
      if (await insertConfigValueIfAbsent(db, key, value)) logger.info({ key }, `connections seeded from ${variable}`);
      else
        logger.info(
          { key },
          `${variable} ignored: the connections stored in the database are used (admins change them on the Connections page)`,
        );
    }
    await this.reload();
  }

  /** Hears other instances' changes from now on. */
  useFeed(feed: ConnectionChangeFeed): void {
    this.#feed = feed;
  }

  /** Reads the stored connections again and applies them (another instance changed them). */
  async reload(): Promise<void> {
    const { db } = this.#options;
    this.#openai = this.#unsealOpenAI(await getConfigValue(db, OPENAI_KEY, storedOpenAIConfigSchema, EMPTY_OPENAI));
    this.#ollama = this.#unsealOllama(await getConfigValue(db, OLLAMA_KEY, storedOllamaConfigSchema, EMPTY_OLLAMA));
    this.#apply();
  }

  /** `GET /openai/config`: keys in full (admins only). */
  get openai(): OpenAIConfig {
    return structuredClone(this.#openai);
  }

  get ollama(): OllamaConfig {
    return structuredClone(this.#ollama);
  }

  async updateOpenAI(form: z.output<typeof openaiConfigFormSchema>): Promise<OpenAIConfig> {
    const next = updatedOpenAIConfig(this.#openai, form);
    await setConfigValue(this.#options.db, OPENAI_KEY, this.#sealOpenAI(next));
    this.#openai = next;
    this.#changed();
    return this.openai;
  }

  async updateOllama(form: z.output<typeof ollamaConfigFormSchema>): Promise<OllamaConfig> {
    const next = updatedOllamaConfig(this.#ollama, form);
    await setConfigValue(this.#options.db, OLLAMA_KEY, this.#sealOllama(next));
    this.#ollama = next;
    this.#changed();
    return this.ollama;
  }

  async close(): Promise<void> {
    await this.#feed.close();
  }

  #changed(): void {
    this.#apply();
    this.#feed.publish();
  }

  #apply(): void {
    this.#options.upstream.setConnections(activeConnections(this.#openai, this.#ollama));
  }

  #seal(key: string | undefined): string | undefined {
    return key ? this.#options.secrets.encrypt(key) : key;
  }

  /** A key sealed with another secret cannot be used: it reads as none, with a warning. */
  #unseal(key: string | undefined, where: string): string | undefined {
    if (!isSealed(key)) return key;
    try {
      return this.#options.secrets.decrypt(key);
    } catch {
      this.#options.logger.warn(
        { connection: where },
        "a stored connection key cannot be decrypted (was WEBUI_SECRET_KEY changed?); enter it again",
      );
      return "";
    }
  }

  #sealOpenAI(config: OpenAIConfig): OpenAIConfig {
    return { ...config, OPENAI_API_KEYS: config.OPENAI_API_KEYS.map((key) => this.#seal(key) ?? "") };
  }

  #unsealOpenAI(config: OpenAIConfig): OpenAIConfig {
    return {
      ...config,
      OPENAI_API_KEYS: config.OPENAI_API_BASE_URLS.map((url, index) => this.#unseal(config.OPENAI_API_KEYS[index] ?? "", url) ?? ""),
    };
  }

  #sealOllama(config: OllamaConfig): OllamaConfig {
    return { ...config, OLLAMA_API_CONFIGS: mapKeys(config.OLLAMA_API_CONFIGS, (key) => this.#seal(key)) };
  }

  #unsealOllama(config: OllamaConfig): OllamaConfig {
    return { ...config, OLLAMA_API_CONFIGS: mapKeys(config.OLLAMA_API_CONFIGS, (key) => this.#unseal(key, "ollama")) };
  }
}

function mapKeys(
  configs: Record<string, ConnectionConfig>,
  change: (key: string | undefined) => string | undefined,
): Record<string, ConnectionConfig> {
  return Object.fromEntries(
    Object.entries(configs).map(([position, config]) => [
      position,
      config.key === undefined ? config : { ...config, key: change(config.key) },
    ]),
  );
}
