import { describe, expect, it } from "vitest";
import {
  connectionsOf,
  maskKey,
  modelSettingsOf,
  type OllamaConfig,
  type OpenAIConfig,
  withOpenAIConnection,
  withoutOpenAIConnection,
} from "./connection-api.ts";

const openai: OpenAIConfig = {
  ENABLE_OPENAI_API: true,
  OPENAI_API_BASE_URLS: ["https://a.example/v1", "https://b.example/v1", "https://c.example/v1"],
  OPENAI_API_KEYS: ["sk-aaaaaaaa1111", "", "sk-c"],
  OPENAI_API_CONFIGS: { "0": { enable: true }, "2": { enable: false, tags: ["t"] } },
};
const ollama: OllamaConfig = { ENABLE_OLLAMA_API: true, OLLAMA_BASE_URLS: ["http://gpu:11434"], OLLAMA_API_CONFIGS: {} };

describe("connections on the Connections page", () => {
  it("masks keys, never showing more than their start and last four characters", () => {
    expect(maskKey("sk-aaaaaaaa1111")).toBe("sk-…1111");
    expect(maskKey("short")).toBe("••••");
    expect(maskKey("")).toBe("no key");
  });

  it("lists both kinds with their switch", () => {
    expect(connectionsOf(openai, ollama).map(({ kind, url, isEnabled }) => [kind, url, isEnabled])).toEqual([
      ["openai", "https://a.example/v1", true],
      ["openai", "https://b.example/v1", true],
      ["openai", "https://c.example/v1", false],
      ["ollama", "http://gpu:11434", true],
    ]);
  });

  it("keeps each config with its connection when one before it is removed", () => {
    const removed = withoutOpenAIConnection(openai, 1);
    expect(removed.OPENAI_API_BASE_URLS).toEqual(["https://a.example/v1", "https://c.example/v1"]);
    expect(removed.OPENAI_API_KEYS).toEqual(["sk-aaaaaaaa1111", "sk-c"]);
    expect(removed.OPENAI_API_CONFIGS).toEqual({ "0": { enable: true }, "1": { enable: false, tags: ["t"] } });
  });

  it("adds past the end and edits in place, keeping other config fields", () => {
    const added = withOpenAIConnection(openai, 3, { url: "https://d.example/v1", key: "sk-d", isEnabled: true });
    expect(added.OPENAI_API_BASE_URLS.at(-1)).toBe("https://d.example/v1");
    expect(added.OPENAI_API_KEYS).toEqual(["sk-aaaaaaaa1111", "", "sk-c", "sk-d"]);
    const edited = withOpenAIConnection(openai, 2, { url: "https://c.example/v1", key: "sk-c", isEnabled: true });
    expect(edited.OPENAI_API_CONFIGS["2"]).toEqual({ enable: true, tags: ["t"] });
  });

  it("sets prefix_id and model_ids as Open WebUI stores them, and reads them back", () => {
    const edited = withOpenAIConnection(openai, 2, {
      url: "https://c.example/v1",
      key: "sk-c",
      isEnabled: true,
      prefixId: " team ",
      modelIds: ["gpt-4o", " ", " o3 "],
    });
    expect(edited.OPENAI_API_CONFIGS["2"]).toEqual({ enable: true, tags: ["t"], prefix_id: "team", model_ids: ["gpt-4o", "o3"] });
    expect(modelSettingsOf(edited.OPENAI_API_CONFIGS["2"]!)).toEqual({ prefixId: "team", modelIds: ["gpt-4o", "o3"] });
    expect(modelSettingsOf({ prefix_id: 3, model_ids: "x" })).toEqual({ prefixId: "", modelIds: [] });
  });
});
