import { describe, expect, it } from "vitest";
import { readOpenAIConnections } from "./read-openai-connections.ts";

describe("readOpenAIConnections", () => {
  it("gives no connection when nothing is set, so the server starts without an upstream", () => {
    expect(readOpenAIConnections({})).toEqual([]);
    expect(readOpenAIConnections({ OPENAI_API_BASE_URL: "  ", OPENAI_API_KEY: "" })).toEqual([]);
  });

  it("reads one URL and key, trimming trailing slashes", () => {
    expect(readOpenAIConnections({ OPENAI_API_BASE_URL: "http://localhost:11434/v1//", OPENAI_API_KEY: "sk-1" })).toEqual([
      { baseUrl: "http://localhost:11434/v1", apiKey: "sk-1" },
    ]);
  });

  it("reads ;-separated URLs with keys aligned by position, an empty or missing key meaning none", () => {
    const connections = readOpenAIConnections({
      OPENAI_API_BASE_URLS: "http://a.test/v1; https://b.test/v1/ ;http://c.test",
      OPENAI_API_KEYS: ";sk-b",
    });
    expect(connections).toEqual([
      { baseUrl: "http://a.test/v1" },
      { baseUrl: "https://b.test/v1", apiKey: "sk-b" },
      { baseUrl: "http://c.test" },
    ]);
  });

  it("prefers the plural variables over the singular ones", () => {
    const connections = readOpenAIConnections({
      OPENAI_API_BASE_URLS: "http://a.test/v1;http://b.test/v1",
      OPENAI_API_BASE_URL: "http://ignored.test/v1",
      OPENAI_API_KEYS: "sk-a;sk-b",
      OPENAI_API_KEY: "sk-ignored",
    });
    expect(connections).toEqual([
      { baseUrl: "http://a.test/v1", apiKey: "sk-a" },
      { baseUrl: "http://b.test/v1", apiKey: "sk-b" },
    ]);
  });

  it("gives OPENAI_API_KEY to the first URL only, as Open WebUI does", () => {
    expect(readOpenAIConnections({ OPENAI_API_BASE_URLS: "http://a.test;http://b.test", OPENAI_API_KEY: "sk-a" })).toEqual([
      { baseUrl: "http://a.test", apiKey: "sk-a" },
      { baseUrl: "http://b.test" },
    ]);
  });

  it("uses OpenAI itself when only a key is given", () => {
    expect(readOpenAIConnections({ OPENAI_API_KEY: "sk-1" })).toEqual([{ baseUrl: "https://api.openai.com/v1", apiKey: "sk-1" }]);
  });

  it("refuses invalid URLs with the variable and position", () => {
    expect(() => readOpenAIConnections({ OPENAI_API_BASE_URL: "localhost:11434" })).toThrow(/OPENAI_API_BASE_URL entry 1 must be an http/);
    expect(() => readOpenAIConnections({ OPENAI_API_BASE_URLS: "http://a.test;not a url" })).toThrow(
      'OPENAI_API_BASE_URLS entry 2 is not a valid URL: "not a url"',
    );
    expect(() => readOpenAIConnections({ OPENAI_API_BASE_URLS: "http://a.test;;http://b.test" })).toThrow(/entry 2 is empty/);
  });

  it("refuses more keys than URLs (trailing empty keys are fine)", () => {
    expect(() => readOpenAIConnections({ OPENAI_API_BASE_URL: "http://a.test", OPENAI_API_KEYS: "sk-a;sk-b" })).toThrow(
      /OPENAI_API_KEYS has 2 keys for 1 URL/,
    );
    expect(readOpenAIConnections({ OPENAI_API_BASE_URL: "http://a.test", OPENAI_API_KEYS: "sk-a;" })).toEqual([
      { baseUrl: "http://a.test", apiKey: "sk-a" },
    ]);
  });
});
