import { describe, expect, it } from "vitest";
import {
  activeConnections,
  type OllamaConfig,
  type OpenAIConfig,
  openaiConfigFormSchema,
  updatedOpenAIConfig,
} from "./connection-documents.ts";

const openai = (fields: Partial<OpenAIConfig> = {}): OpenAIConfig => ({
  ENABLE_OPENAI_API: true,
  OPENAI_API_BASE_URLS: [],
  OPENAI_API_KEYS: [],
  OPENAI_API_CONFIGS: {},
  ...fields,
});
const ollama = (fields: Partial<OllamaConfig> = {}): OllamaConfig => ({
  ENABLE_OLLAMA_API: true,
  OLLAMA_BASE_URLS: [],
  OLLAMA_API_CONFIGS: {},
  ...fields,
});

describe("activeConnections", () => {
  it("lists OpenAI-compatible connections, then each Ollama's /v1, leaving out switched-off ones", () => {
    const connections = activeConnections(
      openai({
        OPENAI_API_BASE_URLS: ["https://a.example/v1", "https://b.example/v1", "https://c.example/v1"],
        OPENAI_API_KEYS: ["sk-a", "sk-b", "sk-c"],
        OPENAI_API_CONFIGS: { "1": { enable: false }, "2": { auth_type: "none" } },
      }),
      ollama({
        OLLAMA_BASE_URLS: ["http://gpu:11434", "http://old:11434"],
        OLLAMA_API_CONFIGS: { "0": { key: "k" }, "1": { enable: false } },
      }),
    );
    expect(connections).toEqual([
      { baseUrl: "https://a.example/v1", apiKey: "sk-a" },
      { baseUrl: "https://c.example/v1" },
      { baseUrl: "http://gpu:11434/v1", apiKey: "k", isOllama: true },
    ]);
  });

  it("carries a connection's prefix_id and model_ids, ignoring malformed ones", () => {
    const connections = activeConnections(
      openai({
        OPENAI_API_BASE_URLS: ["https://a.example/v1", "https://b.example/v1"],
        OPENAI_API_KEYS: ["", ""],
        OPENAI_API_CONFIGS: { "0": { prefix_id: " work ", model_ids: ["gpt-4o", " ", 7] }, "1": { prefix_id: 3, model_ids: "gpt-4o" } },
      }),
      ollama(),
    );
    expect(connections).toEqual([
      { baseUrl: "https://a.example/v1", prefixId: "work", modelIds: ["gpt-4o"] },
      { baseUrl: "https://b.example/v1" },
    ]);
  });

  it("has none of a kind switched off as a whole", () => {
    const config = openai({ ENABLE_OPENAI_API: false, OPENAI_API_BASE_URLS: ["https://a.example/v1"], OPENAI_API_KEYS: [""] });
    expect(activeConnections(config, ollama({ ENABLE_OLLAMA_API: false, OLLAMA_BASE_URLS: ["http://gpu:11434"] }))).toEqual([]);
  });
});

describe("updatedOpenAIConfig", () => {
  it("aligns keys with URLs, drops configs past the end, trims slashes and keeps the switch when left out", () => {
    const form = openaiConfigFormSchema.parse({
      OPENAI_API_BASE_URLS: ["https://a.example/v1/", " https://b.example/v1 "],
      OPENAI_API_KEYS: ["sk-a"],
      OPENAI_API_CONFIGS: { "1": { enable: false, tags: ["x"] }, "2": { enable: true } },
    });
    expect(updatedOpenAIConfig(openai({ ENABLE_OPENAI_API: false }), form)).toEqual({
      ENABLE_OPENAI_API: false,
      OPENAI_API_BASE_URLS: ["https://a.example/v1", "https://b.example/v1"],
      OPENAI_API_KEYS: ["sk-a", ""],
      OPENAI_API_CONFIGS: { "1": { enable: false, tags: ["x"] } },
    });
  });

  it("refuses URLs that are not http(s)", () => {
    expect(openaiConfigFormSchema.safeParse({ OPENAI_API_BASE_URLS: ["file:///etc/passwd"] }).success).toBe(false);
  });
});
