import path from "node:path";
import { type OpenAIConnection, readOllamaBaseUrls, readOpenAIConnections } from "./providers/read-openai-connections.ts";

/** Everything the server reads from its environment, parsed once at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Folder for the SQLite file, the generated secret key and plugin caches. */
  dataDir: string;
  /** `postgres://…` for PostgreSQL; undefined means SQLite under `dataDir`. */
  databaseUrl?: string;
  /** Signs JWTs and derives the valve-encryption key; generated into `dataDir` when unset. */
  secretKey?: string;
  /** Role of accounts created after the first (which is always admin). */
  defaultUserRole: "pending" | "user";
  /** Whether new accounts may sign up (`ENABLE_SIGNUP`, default true); admins change both in the UI. */
  enableSignup: boolean;
  /** Lifetime of issued JWTs, in seconds (`JWT_EXPIRES_IN_SECONDS`, default 4 weeks); 0, set explicitly, = no expiry. */
  jwtExpiresInSeconds: number;
  /** Redis for several instances: socket.io fan-out, event-call routing (`REDIS_URL`). */
  redisUrl?: string;
  /** Prefix of Sluice's Redis channels and keys, so instances of different deployments can share a Redis (`REDIS_KEY_PREFIX`). */
  redisKeyPrefix: string;
  /** How long `ctx.call` waits for the browser's answer, in seconds (`WEBSOCKET_EVENT_CALLER_TIMEOUT`, default 300). */
  eventCallTimeoutSeconds: number;
  /** Whether plugins may send `execute` events, which run JavaScript in the user's page (`PLUGIN_ALLOW_EXECUTE_EVENT`, default false). */
  allowExecuteEvent: boolean;
  /** Largest plugin source accepted, in bytes. */
  maxPluginSourceBytes: number;
  /** Plugin sandbox limits: a hook call's own time (`PLUGIN_TIMEOUT_MS`, 5000), per stream chunk (`PLUGIN_STREAM_TIMEOUT_MS`, 100), heap (`PLUGIN_MEMORY_MB`, 128). */
  pluginTimeoutMs: number;
  pluginStreamTimeoutMs: number;
  /** How long a plugin's background work (`ctx.waitUntil`) may go on after its hook returned (`PLUGIN_WAIT_UNTIL_MS`, 30000). */
  pluginWaitUntilMs: number;
  pluginMemoryMb: number;
  /**
   * `ctx.fetch`: reach loopback/private/link-local addresses (`PLUGIN_ALLOW_PRIVATE_NETWORK`, false),
   * body cap (`PLUGIN_FETCH_MAX_BYTES`, 10 MB), time limit until the response's head
   * (`PLUGIN_FETCH_TIMEOUT_MS`, 30000), longest wait for the next body chunk (`PLUGIN_FETCH_IDLE_TIMEOUT_MS`, 60000).
   */
  pluginAllowPrivateNetwork: boolean;
  pluginFetchMaxBytes: number;
  pluginFetchTimeoutMs: number;
  pluginFetchIdleTimeoutMs: number;
  /**
   * Loaded plugins: at most `PLUGIN_MAX_RESIDENT` (64) stay loaded, the least recently used idle
   * ones unloaded past it; one unused for `PLUGIN_IDLE_EVICT_SECONDS` (600) is unloaded. Either
   * loads again on its next use.
   */
  pluginMaxResident: number;
  pluginIdleEvictSeconds: number;
  /** Most plugins in one import or sync request (`PLUGIN_MAX_IMPORT_ITEMS`, 500). */
  pluginMaxImportItems: number;
  /** Most tools one non-admin user may own (`PLUGIN_MAX_TOOLS_PER_USER`, 100). */
  pluginMaxToolsPerUser: number;
  /**
   * The OS user and group the trusted tier's processes run as (`PLUGIN_NODE_TIER_UID`,
   * `PLUGIN_NODE_TIER_GID`): by default `nobody` (65534) when the server runs as root, so a
   * plugin cannot open the server's files or signal it; undefined = the server's own user.
   */
  pluginNodeTierUser?: { uid: number; gid: number };
  /** The interpreter Open WebUI's Python plugins run with (`SLUICE_PYTHON`, default `python3`): Python 3.11+ with pydantic 2. */
  python: string;
  logLevel: string;
  /**
   * OpenAI-compatible upstreams (`OPENAI_API_BASE_URL(S)`, `OPENAI_API_KEY(S)`); empty when none is
   * set. They seed the stored connections once, when the database has none yet; admins change
   * them afterwards (`/openai/config`, the Connections page).
   */
  openaiConnections: OpenAIConnection[];
  /** Ollama servers (`OLLAMA_BASE_URL(S)`), seeding the stored Ollama connections the same way. */
  ollamaBaseUrls: string[];
  /** `ENABLE_OPENAI_API`, `ENABLE_OLLAMA_API` (both true by default), seeded with the connections. */
  enableOpenAIApi: boolean;
  enableOllamaApi: boolean;
  /**
   * Where the Connections page looks for a local Ollama to offer when none is configured
   * (`OLLAMA_PROBE_URL`, default `http://127.0.0.1:11434`; `off` never looks).
   */
  ollamaProbeUrl?: string;
  /** Most tool-call rounds in one chat turn (`CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS`). */
  maxToolCallIterations: number;
  /** Longest answer, in characters of text across its turns (`CHAT_RESPONSE_MAX_CHARACTERS`, default 8 Mi); past it the answer is stopped with an error. */
  maxAnswerCharacters: number;
  /**
   * Admission control of `POST /api/chat/completions`, per server process: at most
   * `CHAT_MAX_CONCURRENT` (500; 0 = no limit) turns run at once; the next wait in arrival order,
   * at most `CHAT_QUEUE_MAX` (500; 0 = none waits) of them for at most `CHAT_QUEUE_TIMEOUT_SECONDS`
   * (30); past either a request gets 503 with `Retry-After`. 500 is the load the performance
   * budget holds a 2-core machine to (500 streaming chats), far above a team's normal use; 30 s
   * stays under reverse proxies' usual 60 s read timeout, so a waiting client hears "busy, retry"
   * from Sluice rather than a proxy's 504.
   */
  chatMaxConcurrent: number;
  chatQueueMax: number;
  chatQueueTimeoutSeconds: number;
  /** Whether chats get a generated title after the first reply (`ENABLE_TITLE_GENERATION`). */
  enableTitleGeneration: boolean;
  /** Model for background tasks such as titles (`TASK_MODEL`); the chat's model when unset. */
  taskModel?: string;
  /** How deep plugins' model calls (`ctx.models.complete`) may nest (`PLUGIN_MODEL_CALL_MAX_DEPTH`, 3; 0 forbids them). */
  pluginModelCallMaxDepth: number;
  /** Shortest password accepted for new passwords (`PASSWORD_MIN_LENGTH`, 8). */
  passwordMinLength: number;
  /** Wrong passwords per account before sign-ins slow down (`SIGNIN_FREE_FAILURES`, 5; four times as many per address). */
  signInFreeFailures: number;
  /** How long a stop (SIGTERM/SIGINT) waits for answers in flight to finish and be saved (`SHUTDOWN_DRAIN_SECONDS`, 30). */
  shutdownDrainSeconds: number;
  /**
   * Answers in progress are recorded in the database so that one cut by a crash or kill -9 is
   * marked interrupted: each instance refreshes its records every `ANSWER_HEARTBEAT_SECONDS` (10),
   * and a record not refreshed for `ANSWER_STALE_SECONDS` (30) is taken as cut.
   */
  answerHeartbeatSeconds: number;
  answerStaleSeconds: number;
  /** Names this instance in its records and reports (`SLUICE_INSTANCE_ID`); host name and process id when unset. */
  instanceId?: string;
  /** How long the event loop may stand still before the process ends itself for its supervisor (`SERVER_STALL_LIMIT_SECONDS`, 60; 0 = never). */
  stallLimitSeconds: number;
  /** npm `requirements`: most packages per plugin (`PLUGIN_REQUIREMENTS_MAX`, 16), npm runs at once (`PLUGIN_INSTALL_CONCURRENCY`, 2), one install's time (`PLUGIN_INSTALL_TIMEOUT_MS`, 120000), the install cache's size (`PLUGIN_DEPS_CACHE_MAX_MB`, 512). */
  pluginRequirementsMax: number;
  pluginInstallConcurrency: number;
  pluginInstallTimeoutMs: number;
  pluginDepsCacheMaxMb: number;
  /** CPU a plugin's isolate may use between calls (timers), in ms per 10 s (`PLUGIN_IDLE_CPU_MS`, 1000); past it the isolate is disposed. */
  pluginIdleCpuMs: number;
  /** Largest file one upload or `ctx.files.create` may store, in MiB (`FILE_MAX_SIZE_MB`, 100); files live under `dataDir/uploads`. */
  fileMaxSizeMb: number;
  /** Server events waiting for event plugins, and per event plugin (`PLUGIN_EVENT_QUEUE_MAX`, 1000); past it an event is dropped with a log line. */
  pluginEventQueueMax: number;
  /**
   * `ctx.storage`: longest key in characters (`PLUGIN_STORAGE_MAX_KEY_LENGTH`, 256), largest value
   * in bytes of JSON (`PLUGIN_STORAGE_MAX_VALUE_BYTES`, 1 MiB), most bytes one plugin keeps, keys
   * and values of all its spaces (`PLUGIN_STORAGE_MAX_TOTAL_BYTES`, 64 MiB).
   */
  pluginStorageMaxKeyLength: number;
  pluginStorageMaxValueBytes: number;
  pluginStorageMaxTotalBytes: number;
  /**
   * The upstream embedding model that ranks memories (`EMBEDDING_MODEL`), through
   * `POST <base>/embeddings` of the connection listing it (else the first); unset = the
   * database's full-text ranking.
   */
  embeddingModel?: string;
  /** Longest memory (and memory query), in characters (`MEMORY_MAX_CHARACTERS`, 10000). */
  memoryMaxCharacters: number;
  /** Most memories one user may keep (`MEMORY_MAX_PER_USER`, 1000). */
  memoryMaxPerUser: number;
}

/** Four weeks, Open WebUI's default (`JWT_EXPIRES_IN=4w`): a stolen token is not good forever. */
export const DEFAULT_JWT_EXPIRES_IN_SECONDS = 28 * 24 * 60 * 60;

function readInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

function readPositiveNumber(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  // Timers take at most 2^31-1 ms (about 24 days).
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed * 1000 > 2 ** 31 - 1)
    throw new Error(`${name} must be a positive number of seconds, got "${value}"`);
  return parsed;
}

function readPositiveInteger(value: string | undefined, fallback: number, name: string): number {
  const parsed = readInteger(value, fallback, name);
  if (parsed === 0) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return parsed;
}

function readBoolean(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value.trim() === "") return fallback;
  const normalized = value.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(normalized)) return true;
  if (["false", "0", "no", "off"].includes(normalized)) return false;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

/** `off` (or `false`, `none`) = do not look; unset = Ollama's default address. */
function readProbeUrl(value: string | undefined): string | undefined {
  const trimmed = value?.trim() ?? "";
  if (["off", "false", "none"].includes(trimmed.toLowerCase())) return undefined;
  if (trimmed === "") return "http://127.0.0.1:11434";
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`OLLAMA_PROBE_URL must be an http:// URL or "off", got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`OLLAMA_PROBE_URL must be an http:// URL or "off", got "${value}"`);
  return trimmed.replace(/\/+$/, "");
}

const NOBODY = 65534;

/**
 * Root runs trusted-tier processes as `nobody` unless told otherwise; any other user cannot
 * switch, so naming a different user then is an error, and naming its own user means no switch.
 */
function readNodeTierUser(environment: NodeJS.ProcessEnv, serverUid: number | undefined): Config["pluginNodeTierUser"] {
  const isUidSet = (environment.PLUGIN_NODE_TIER_UID ?? "").trim() !== "";
  const uid = readInteger(environment.PLUGIN_NODE_TIER_UID, NOBODY, "PLUGIN_NODE_TIER_UID");
  const gid = readInteger(environment.PLUGIN_NODE_TIER_GID, isUidSet ? uid : NOBODY, "PLUGIN_NODE_TIER_GID");
  if (serverUid === undefined) return undefined;
  if (serverUid !== 0) {
    if (isUidSet && uid !== serverUid) {
      throw new Error(
        `PLUGIN_NODE_TIER_UID=${uid} needs the server to run as root (it runs as uid ${serverUid}); unset it to run the trusted tier as the server's own user`,
      );
    }
    return undefined;
  }
  return uid === 0 ? undefined : { uid, gid };
}

/** Reads the configuration from environment variables (see README for the list). */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, serverUid: number | undefined = process.getuid?.()): Config {
  const defaultRole = (environment.DEFAULT_USER_ROLE ?? "pending").trim();
  if (defaultRole !== "pending" && defaultRole !== "user") {
    throw new Error(`DEFAULT_USER_ROLE must be "pending" or "user", got "${defaultRole}"`);
  }
  const databaseUrl = environment.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(`DATABASE_URL must start with postgres:// (SQLite is the default when it is unset)`);
  }
  const answerHeartbeatSeconds = readPositiveNumber(environment.ANSWER_HEARTBEAT_SECONDS, 10, "ANSWER_HEARTBEAT_SECONDS");
  const answerStaleSeconds = readPositiveNumber(environment.ANSWER_STALE_SECONDS, 30, "ANSWER_STALE_SECONDS");
  // A limit within one interval would take live answers for cut ones between two heartbeats.
  if (answerStaleSeconds < 2 * answerHeartbeatSeconds) {
    throw new Error(
      `ANSWER_STALE_SECONDS (${answerStaleSeconds}) must be at least twice ANSWER_HEARTBEAT_SECONDS (${answerHeartbeatSeconds})`,
    );
  }
  const openaiConnections = readOpenAIConnections(environment);
  const embeddingModel = environment.EMBEDDING_MODEL?.trim() || undefined;
  return {
    port: readInteger(environment.PORT, 8080, "PORT"),
    host: environment.HOST?.trim() || "0.0.0.0",
    dataDir: path.resolve(environment.DATA_DIR?.trim() || "data"),
    databaseUrl,
    secretKey: environment.WEBUI_SECRET_KEY?.trim() || undefined,
    defaultUserRole: defaultRole,
    enableSignup: readBoolean(environment.ENABLE_SIGNUP, true, "ENABLE_SIGNUP"),
    jwtExpiresInSeconds: readInteger(environment.JWT_EXPIRES_IN_SECONDS, DEFAULT_JWT_EXPIRES_IN_SECONDS, "JWT_EXPIRES_IN_SECONDS"),
    redisUrl: environment.REDIS_URL?.trim() || undefined,
    redisKeyPrefix: environment.REDIS_KEY_PREFIX?.trim() || "sluice",
    eventCallTimeoutSeconds: readPositiveNumber(environment.WEBSOCKET_EVENT_CALLER_TIMEOUT, 300, "WEBSOCKET_EVENT_CALLER_TIMEOUT"),
    allowExecuteEvent: readBoolean(environment.PLUGIN_ALLOW_EXECUTE_EVENT, false, "PLUGIN_ALLOW_EXECUTE_EVENT"),
    maxPluginSourceBytes: readInteger(environment.PLUGIN_MAX_SOURCE_BYTES, 1024 * 1024, "PLUGIN_MAX_SOURCE_BYTES"),
    pluginTimeoutMs: readPositiveInteger(environment.PLUGIN_TIMEOUT_MS, 5000, "PLUGIN_TIMEOUT_MS"),
    pluginStreamTimeoutMs: readPositiveInteger(environment.PLUGIN_STREAM_TIMEOUT_MS, 100, "PLUGIN_STREAM_TIMEOUT_MS"),
    pluginWaitUntilMs: readPositiveInteger(environment.PLUGIN_WAIT_UNTIL_MS, 30_000, "PLUGIN_WAIT_UNTIL_MS"),
    pluginMemoryMb: readPositiveInteger(environment.PLUGIN_MEMORY_MB, 128, "PLUGIN_MEMORY_MB"),
    pluginAllowPrivateNetwork: readBoolean(environment.PLUGIN_ALLOW_PRIVATE_NETWORK, false, "PLUGIN_ALLOW_PRIVATE_NETWORK"),
    pluginFetchMaxBytes: readPositiveInteger(environment.PLUGIN_FETCH_MAX_BYTES, 10 * 1024 * 1024, "PLUGIN_FETCH_MAX_BYTES"),
    pluginFetchTimeoutMs: readPositiveInteger(environment.PLUGIN_FETCH_TIMEOUT_MS, 30_000, "PLUGIN_FETCH_TIMEOUT_MS"),
    pluginFetchIdleTimeoutMs: readPositiveInteger(environment.PLUGIN_FETCH_IDLE_TIMEOUT_MS, 60_000, "PLUGIN_FETCH_IDLE_TIMEOUT_MS"),
    pluginMaxResident: readPositiveInteger(environment.PLUGIN_MAX_RESIDENT, 64, "PLUGIN_MAX_RESIDENT"),
    pluginIdleEvictSeconds: readPositiveNumber(environment.PLUGIN_IDLE_EVICT_SECONDS, 600, "PLUGIN_IDLE_EVICT_SECONDS"),
    pluginMaxImportItems: readPositiveInteger(environment.PLUGIN_MAX_IMPORT_ITEMS, 500, "PLUGIN_MAX_IMPORT_ITEMS"),
    pluginMaxToolsPerUser: readPositiveInteger(environment.PLUGIN_MAX_TOOLS_PER_USER, 100, "PLUGIN_MAX_TOOLS_PER_USER"),
    pluginNodeTierUser: readNodeTierUser(environment, serverUid),
    python: environment.SLUICE_PYTHON?.trim() || "python3",
    logLevel: environment.LOG_LEVEL?.trim() || "info",
    openaiConnections,
    ollamaBaseUrls: readOllamaBaseUrls(environment),
    enableOpenAIApi: readBoolean(environment.ENABLE_OPENAI_API, true, "ENABLE_OPENAI_API"),
    enableOllamaApi: readBoolean(environment.ENABLE_OLLAMA_API, true, "ENABLE_OLLAMA_API"),
    ollamaProbeUrl: readProbeUrl(environment.OLLAMA_PROBE_URL),
    maxToolCallIterations: readInteger(environment.CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS, 16, "CHAT_RESPONSE_MAX_TOOL_CALL_ITERATIONS"),
    maxAnswerCharacters: readPositiveInteger(environment.CHAT_RESPONSE_MAX_CHARACTERS, 8 * 1024 * 1024, "CHAT_RESPONSE_MAX_CHARACTERS"),
    chatMaxConcurrent: readInteger(environment.CHAT_MAX_CONCURRENT, 500, "CHAT_MAX_CONCURRENT"),
    chatQueueMax: readInteger(environment.CHAT_QUEUE_MAX, 500, "CHAT_QUEUE_MAX"),
    chatQueueTimeoutSeconds: readPositiveNumber(environment.CHAT_QUEUE_TIMEOUT_SECONDS, 30, "CHAT_QUEUE_TIMEOUT_SECONDS"),
    enableTitleGeneration: readBoolean(environment.ENABLE_TITLE_GENERATION, true, "ENABLE_TITLE_GENERATION"),
    taskModel: environment.TASK_MODEL?.trim() || undefined,
    pluginModelCallMaxDepth: readInteger(environment.PLUGIN_MODEL_CALL_MAX_DEPTH, 3, "PLUGIN_MODEL_CALL_MAX_DEPTH"),
    passwordMinLength: readPositiveInteger(environment.PASSWORD_MIN_LENGTH, 8, "PASSWORD_MIN_LENGTH"),
    signInFreeFailures: readPositiveInteger(environment.SIGNIN_FREE_FAILURES, 5, "SIGNIN_FREE_FAILURES"),
    shutdownDrainSeconds: readInteger(environment.SHUTDOWN_DRAIN_SECONDS, 30, "SHUTDOWN_DRAIN_SECONDS"),
    answerHeartbeatSeconds,
    answerStaleSeconds,
    instanceId: environment.SLUICE_INSTANCE_ID?.trim() || undefined,
    stallLimitSeconds: readInteger(environment.SERVER_STALL_LIMIT_SECONDS, 60, "SERVER_STALL_LIMIT_SECONDS"),
    pluginRequirementsMax: readPositiveInteger(environment.PLUGIN_REQUIREMENTS_MAX, 16, "PLUGIN_REQUIREMENTS_MAX"),
    pluginInstallConcurrency: readPositiveInteger(environment.PLUGIN_INSTALL_CONCURRENCY, 2, "PLUGIN_INSTALL_CONCURRENCY"),
    pluginInstallTimeoutMs: readPositiveInteger(environment.PLUGIN_INSTALL_TIMEOUT_MS, 120_000, "PLUGIN_INSTALL_TIMEOUT_MS"),
    pluginDepsCacheMaxMb: readPositiveInteger(environment.PLUGIN_DEPS_CACHE_MAX_MB, 512, "PLUGIN_DEPS_CACHE_MAX_MB"),
    pluginIdleCpuMs: readPositiveInteger(environment.PLUGIN_IDLE_CPU_MS, 1000, "PLUGIN_IDLE_CPU_MS"),
    fileMaxSizeMb: readPositiveInteger(environment.FILE_MAX_SIZE_MB, 100, "FILE_MAX_SIZE_MB"),
    pluginEventQueueMax: readPositiveInteger(environment.PLUGIN_EVENT_QUEUE_MAX, 1000, "PLUGIN_EVENT_QUEUE_MAX"),
    pluginStorageMaxKeyLength: readPositiveInteger(environment.PLUGIN_STORAGE_MAX_KEY_LENGTH, 256, "PLUGIN_STORAGE_MAX_KEY_LENGTH"),
    pluginStorageMaxValueBytes: readPositiveInteger(
      environment.PLUGIN_STORAGE_MAX_VALUE_BYTES,
      1024 * 1024,
      "PLUGIN_STORAGE_MAX_VALUE_BYTES",
    ),
    pluginStorageMaxTotalBytes: readPositiveInteger(
      environment.PLUGIN_STORAGE_MAX_TOTAL_BYTES,
      64 * 1024 * 1024,
      "PLUGIN_STORAGE_MAX_TOTAL_BYTES",
    ),
    embeddingModel,
    memoryMaxCharacters: readPositiveInteger(environment.MEMORY_MAX_CHARACTERS, 10_000, "MEMORY_MAX_CHARACTERS"),
    memoryMaxPerUser: readPositiveInteger(environment.MEMORY_MAX_PER_USER, 1000, "MEMORY_MAX_PER_USER"),
  };
}
