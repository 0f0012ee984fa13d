import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig: chat settings", () => {
  it("has defaults: no upstream, 16 tool-call rounds, titles on, no task model", () => {
    const config = loadConfig({});
    expect(config.openaiConnections).toEqual([]);
    expect(config.maxToolCallIterations).toBe(16);
    expect(config.enableTitleGeneration).toBe(true);
    expect(config.taskModel).toBeUndefined();
  });

  it("reads them from the environment", () => {
    const config = loadConfig({
      OPENAI_API_BASE_URL: "http://127.0.0.1:9/v1/",
      OPENAI_API_KEY: "sk-1",
      CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS: "3",
      ENABLE_TITLE_GENERATION: "False",
      TASK_MODEL: " fake-small ",
    });
    expect(config.openaiConnections).toEqual([{ baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-1" }]);
    expect(config.maxToolCallIterations).toBe(3);
    expect(config.enableTitleGeneration).toBe(false);
    expect(config.taskModel).toBe("fake-small");
  });

  it("says which variable is wrong", () => {
    expect(() => loadConfig({ ENABLE_TITLE_GENERATION: "maybe" })).toThrow('ENABLE_TITLE_GENERATION must be true or false, got "maybe"');
    expect(() => loadConfig({ CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS: "-1" })).toThrow(/CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS/);
    expect(() => loadConfig({ OPENAI_API_BASE_URL: "ftp://x" })).toThrow(/OPENAI_API_BASE_URL/);
  });
});

describe("loadConfig: chat admission", () => {
  it("runs 500 chats at once per process, lets 500 more wait up to 30 s", () => {
    const config = loadConfig({});
    expect([config.chatMaxConcurrent, config.chatQueueMax, config.chatQueueTimeoutSeconds]).toEqual([500, 500, 30]);
  });

  it("reads them, 0 meaning no limit and no waiting", () => {
    const config = loadConfig({ CHAT_MAX_CONCURRENT: "0", CHAT_QUEUE_MAX: "0", CHAT_QUEUE_TIMEOUT_SECONDS: "2.5" });
    expect([config.chatMaxConcurrent, config.chatQueueMax, config.chatQueueTimeoutSeconds]).toEqual([0, 0, 2.5]);
  });

  it("says which one is wrong", () => {
    expect(() => loadConfig({ CHAT_MAX_CONCURRENT: "1.5" })).toThrow('CHAT_MAX_CONCURRENT must be a non-negative integer, got "1.5"');
    expect(() => loadConfig({ CHAT_QUEUE_MAX: "-1" })).toThrow('CHAT_QUEUE_MAX must be a non-negative integer, got "-1"');
    expect(() => loadConfig({ CHAT_QUEUE_TIMEOUT_SECONDS: "0" })).toThrow(
      'CHAT_QUEUE_TIMEOUT_SECONDS must be a positive number of seconds, got "0"',
    );
  });
});

describe("loadConfig: realtime settings", () => {
  it("waits 300 s for the browser, keeps execute events off, prefixes Redis keys with sluice", () => {
    const config = loadConfig({});
    expect(config.eventCallTimeoutSeconds).toBe(300);
    expect(config.allowExecuteEvent).toBe(false);
    expect(config.redisKeyPrefix).toBe("sluice");
    expect(config.redisUrl).toBeUndefined();
  });

  it("reads them from the environment, fractions of a second allowed", () => {
    const config = loadConfig({
      WEBSOCKET_EVENT_CALLER_TIMEOUT: "0.5",
      PLUGIN_ALLOW_EXECUTE_EVENT: "true",
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: "team-a",
    });
    expect(config).toMatchObject({
      eventCallTimeoutSeconds: 0.5,
      allowExecuteEvent: true,
      redisUrl: "redis://127.0.0.1:6379",
      redisKeyPrefix: "team-a",
    });
  });

  it("refuses a timeout that is not a positive number of seconds", () => {
    for (const value of ["0", "-1", "soon", "1e12"]) {
      expect(() => loadConfig({ WEBSOCKET_EVENT_CALLER_TIMEOUT: value })).toThrow(
        `WEBSOCKET_EVENT_CALLER_TIMEOUT must be a positive number of seconds, got "${value}"`,
      );
    }
  });
});

describe("loadConfig: plugin sandbox settings", () => {
  it("has the documented defaults and reads overrides", () => {
    expect(loadConfig({})).toMatchObject({
      pluginTimeoutMs: 5000,
      pluginStreamTimeoutMs: 100,
      pluginMemoryMb: 128,
      pluginAllowPrivateNetwork: false,
      pluginFetchMaxBytes: 10 * 1024 * 1024,
      pluginFetchTimeoutMs: 30_000,
      pluginFetchIdleTimeoutMs: 60_000,
    });
    const config = loadConfig({
      PLUGIN_TIMEOUT_MS: "2000",
      PLUGIN_STREAM_TIMEOUT_MS: "50",
      PLUGIN_MEMORY_MB: "64",
      PLUGIN_ALLOW_PRIVATE_NETWORK: "true",
      PLUGIN_FETCH_MAX_BYTES: "1000",
      PLUGIN_FETCH_TIMEOUT_MS: "500",
      PLUGIN_FETCH_IDLE_TIMEOUT_MS: "700",
    });
    expect(config).toMatchObject({
      pluginTimeoutMs: 2000,
      pluginStreamTimeoutMs: 50,
      pluginMemoryMb: 64,
      pluginAllowPrivateNetwork: true,
      pluginFetchMaxBytes: 1000,
      pluginFetchTimeoutMs: 500,
      pluginFetchIdleTimeoutMs: 700,
    });
    expect(loadConfig({})).toMatchObject({ pluginFetchTimeoutMs: 30_000, pluginFetchIdleTimeoutMs: 60_000 });
    expect(() => loadConfig({ PLUGIN_FETCH_IDLE_TIMEOUT_MS: "0" })).toThrow(
      'PLUGIN_FETCH_IDLE_TIMEOUT_MS must be a positive integer, got "0"',
    );
    expect(() => loadConfig({ PLUGIN_TIMEOUT_MS: "0" })).toThrow('PLUGIN_TIMEOUT_MS must be a positive integer, got "0"');
    expect(() => loadConfig({ PLUGIN_ALLOW_PRIVATE_NETWORK: "sometimes" })).toThrow(/PLUGIN_ALLOW_PRIVATE_NETWORK/);
  });

  it("bounds loaded plugins, imports and tools per user, with overrides", () => {
    expect(loadConfig({})).toMatchObject({
      pluginMaxResident: 64,
      pluginIdleEvictSeconds: 600,
      pluginMaxImportItems: 500,
      pluginMaxToolsPerUser: 100,
    });
    const config = loadConfig({
      PLUGIN_MAX_RESIDENT: "8",
      PLUGIN_IDLE_EVICT_SECONDS: "30",
      PLUGIN_MAX_IMPORT_ITEMS: "10",
      PLUGIN_MAX_TOOLS_PER_USER: "3",
    });
    expect(config).toMatchObject({ pluginMaxResident: 8, pluginIdleEvictSeconds: 30, pluginMaxImportItems: 10, pluginMaxToolsPerUser: 3 });
    expect(() => loadConfig({ PLUGIN_MAX_RESIDENT: "0" })).toThrow('PLUGIN_MAX_RESIDENT must be a positive integer, got "0"');
    expect(() => loadConfig({ PLUGIN_IDLE_EVICT_SECONDS: "-1" })).toThrow(/PLUGIN_IDLE_EVICT_SECONDS must be a positive number of seconds/);
  });
});

describe("loadConfig: the trusted tier's OS user", () => {
  it("is nobody (65534) when the server runs as root, and the server's own user otherwise", () => {
    expect(loadConfig({}, 0).pluginNodeTierUser).toEqual({ uid: 65534, gid: 65534 });
    expect(loadConfig({}, 1000).pluginNodeTierUser).toBeUndefined();
  });

  it("is set by PLUGIN_NODE_TIER_UID and _GID (the group defaulting to the uid); 0 means no switch", () => {
    expect(loadConfig({ PLUGIN_NODE_TIER_UID: "1234" }, 0).pluginNodeTierUser).toEqual({ uid: 1234, gid: 1234 });
    expect(loadConfig({ PLUGIN_NODE_TIER_UID: "1234", PLUGIN_NODE_TIER_GID: "99" }, 0).pluginNodeTierUser).toEqual({ uid: 1234, gid: 99 });
    expect(loadConfig({ PLUGIN_NODE_TIER_UID: "0" }, 0).pluginNodeTierUser).toBeUndefined();
  });

  it("refuses another user when the server cannot switch to it", () => {
    expect(() => loadConfig({ PLUGIN_NODE_TIER_UID: "65534" }, 1000)).toThrow(/PLUGIN_NODE_TIER_UID=65534 needs the server to run as root/);
    expect(loadConfig({ PLUGIN_NODE_TIER_UID: "1000" }, 1000).pluginNodeTierUser).toBeUndefined();
    expect(() => loadConfig({ PLUGIN_NODE_TIER_UID: "nobody" }, 0)).toThrow(/PLUGIN_NODE_TIER_UID must be a non-negative integer/);
  });
});

describe("loadConfig: answers in progress", () => {
  it("refreshes every 10 s and takes 30 s without a refresh for a cut answer; the instance id is unset", () => {
    expect(loadConfig({})).toMatchObject({ answerHeartbeatSeconds: 10, answerStaleSeconds: 30, instanceId: undefined });
  });

  it("reads them from the environment, fractions of a second allowed", () => {
    const config = loadConfig({ ANSWER_HEARTBEAT_SECONDS: "0.2", ANSWER_STALE_SECONDS: "1", SLUICE_INSTANCE_ID: " web-1 " });
    expect(config).toMatchObject({ answerHeartbeatSeconds: 0.2, answerStaleSeconds: 1, instanceId: "web-1" });
  });

  it("refuses a limit shorter than two heartbeats", () => {
    expect(() => loadConfig({ ANSWER_HEARTBEAT_SECONDS: "10", ANSWER_STALE_SECONDS: "15" })).toThrow(
      /ANSWER_STALE_SECONDS \(15\) must be at least twice ANSWER_HEARTBEAT_SECONDS/,
    );
    expect(() => loadConfig({ ANSWER_STALE_SECONDS: "0" })).toThrow(/ANSWER_STALE_SECONDS must be a positive number/);
  });
});

describe("loadConfig: file store", () => {
  it("caps a file at 100 MiB unless FILE_MAX_SIZE_MB says otherwise", () => {
    expect(loadConfig({}).fileMaxSizeMb).toBe(100);
    expect(loadConfig({ FILE_MAX_SIZE_MB: "5" }).fileMaxSizeMb).toBe(5);
  });

  it("refuses a cap that is not a positive whole number of MiB", () => {
    for (const value of ["0", "-1", "1.5", "big"]) {
      expect(() => loadConfig({ FILE_MAX_SIZE_MB: value })).toThrow(/FILE_MAX_SIZE_MB/);
    }
  });
});

describe("loadConfig: memories", () => {
  it("ranks by full text unless EMBEDDING_MODEL names a model", () => {
    expect(loadConfig({}).embeddingModel).toBeUndefined();
    expect(loadConfig({ EMBEDDING_MODEL: " text-embedding-3-small ", OPENAI_API_BASE_URL: "http://localhost:1/v1" }).embeddingModel).toBe(
      "text-embedding-3-small",
    );
    // Connections are stored in the database and may be added later, on the Connections page.
    expect(loadConfig({ EMBEDDING_MODEL: "text-embedding-3-small" }).embeddingModel).toBe("text-embedding-3-small");
  });

  it("caps a memory at 10000 characters and a user at 1000 memories unless told otherwise", () => {
    expect(loadConfig({})).toMatchObject({ memoryMaxCharacters: 10_000, memoryMaxPerUser: 1000 });
    expect(loadConfig({ MEMORY_MAX_CHARACTERS: "200", MEMORY_MAX_PER_USER: "3" })).toMatchObject({
      memoryMaxCharacters: 200,
      memoryMaxPerUser: 3,
    });
    for (const value of ["0", "-1", "1.5", "many"]) {
      expect(() => loadConfig({ MEMORY_MAX_CHARACTERS: value })).toThrow(/MEMORY_MAX_CHARACTERS/);
      expect(() => loadConfig({ MEMORY_MAX_PER_USER: value })).toThrow(/MEMORY_MAX_PER_USER/);
    }
  });
});

describe("loadConfig: connection seeds", () => {
  it("reads Ollama servers, the two switches and where to look for a local Ollama", () => {
    expect(loadConfig({})).toMatchObject({
      ollamaBaseUrls: [],
      enableOpenAIApi: true,
      enableOllamaApi: true,
      ollamaProbeUrl: "http://127.0.0.1:11434",
    });
    expect(
      loadConfig({
        OLLAMA_BASE_URLS: "http://gpu:11434/;http://cpu:11434",
        ENABLE_OLLAMA_API: "false",
        OLLAMA_PROBE_URL: "http://127.0.0.1:9/",
      }),
    ).toMatchObject({
      ollamaBaseUrls: ["http://gpu:11434", "http://cpu:11434"],
      enableOllamaApi: false,
      ollamaProbeUrl: "http://127.0.0.1:9",
    });
    expect(loadConfig({ OLLAMA_PROBE_URL: "off" }).ollamaProbeUrl).toBeUndefined();
    expect(() => loadConfig({ OLLAMA_PROBE_URL: "localhost" })).toThrow(/OLLAMA_PROBE_URL/);
    expect(() => loadConfig({ OLLAMA_BASE_URL: "ftp://x" })).toThrow(/OLLAMA_BASE_URL/);
  });
});
