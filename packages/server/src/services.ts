import { hostname } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { pino, type Logger } from "pino";
import { authenticateToken } from "./auth/authenticate-token.ts";
import { loadSecretKey } from "./auth/secret-key.ts";
import type { Config } from "./config.ts";
import { connectDatabase } from "./db/connect-database.ts";
import { connectTableChangeFeed } from "./db/table-change-feed.ts";
import { tableChangesOf } from "./db/table-changes.ts";
import { migrateToLatest } from "./db/migrations/migrate-to-latest.ts";
import type { Database } from "./db/schema.ts";
import { ChatAdmission } from "./core/chat-admission.ts";
import { ChatTasks } from "./core/chat-tasks.ts";
import type { ChatStore, TurnPorts } from "./core/ports.ts";
import { createTurnStores } from "./db/turn-stores.ts";
import { AnswersInProgress } from "./process/answers-in-progress.ts";
import { createEventPort } from "./realtime/request-events.ts";
import { createPluginPort } from "./workspace/plugin-session.ts";
import { FirstLoadChecker } from "./sandbox/first-load-checker.ts";
import { createPluginCrashHandler } from "./process/handle-plugin-crash.ts";
import { PluginRegistry } from "./plugins/plugin-registry.ts";
import { PluginApi } from "./plugin-api/plugin-api.ts";
import { PluginStorage } from "./plugin-api/plugin-storage.ts";
import { storageMethods } from "./plugin-api/storage-methods.ts";
import { fileMethods } from "./plugin-api/file-methods.ts";
import { FileUploads } from "./plugin-api/file-uploads.ts";
import { chatMethods } from "./plugin-api/chat-methods.ts";
import { createFileService } from "./files/file-service.ts";
import { createAttachmentSource } from "./files/attachment-source.ts";
import { memoryMethods } from "./plugin-api/memory-methods.ts";
import { modelMethods } from "./plugin-api/model-methods.ts";
import { toolMethods } from "./plugin-api/tool-methods.ts";
import { createRealtime, type Realtime } from "./realtime/create-realtime.ts";
import { OpenAIUpstream } from "./providers/openai-upstream.ts";
import { ConnectionSettings } from "./connections/connection-settings.ts";
import { connectConnectionChangeFeed } from "./connections/connection-change-feed.ts";
import { createSecretBox, type SecretBox } from "./valves/secret-box.ts";
import { FileStore } from "./files/file-store.ts";
import { createLocalFileStorage } from "./files/local-file-storage.ts";
import { createMemoryService, type MemoryService } from "./memories/memory-service.ts";
import { PluginWorkspace } from "./workspace/plugin-workspace.ts";
import { connectPluginChangeFeed, LOCAL_CHANGE_FEED, type PluginChangeFeed } from "./workspace/plugin-change-feed.ts";
import { ServerEventBus } from "./events/server-event-bus.ts";
import { createEventPlugins, type EventPlugins } from "./workspace/event-plugins.ts";

/** What route modules and the rest of the server share; built once at start-up. */
export interface AppServices {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  /** Signs JWTs; from WEBUI_SECRET_KEY or `<dataDir>/.secret_key`. */
  secretKey: Buffer;
  /** Encrypts secret valves at rest (key derived from `secretKey`). */
  secrets: SecretBox;
  /** Loads, caches and tracks the load state of functions and tools. */
  workspace: PluginWorkspace;
  /** socket.io sessions: events to users' tabs, calls to one tab. Attach it to the HTTP server (main.ts). */
  realtime: Realtime;
  /** The OpenAI-compatible upstreams (the stored connections' active ones); may have none. */
  upstream: OpenAIUpstream;
  /** The admin's upstream connections (`/openai/config`, `/ollama/config`), stored and applied to `upstream` at once. */
  connections: ConnectionSettings;
  /** Plugin saves and deletes, shared with other instances over Redis when `REDIS_URL` is set. */
  pluginChanges: PluginChangeFeed;
  /** Table writes (which drop cached reads), shared with other instances over Redis when `REDIS_URL` is set. */
  tableChanges: { close(): Promise<void> };
  /** The chat answers in progress on this instance (`/api/tasks`). */
  chatTasks: ChatTasks;
  /** Which chat requests of this process may start a turn now, which wait and which are refused (`CHAT_MAX_CONCURRENT`, …). */
  chatAdmission: ChatAdmission;
  /** The answers in progress recorded in the database, so one cut by a crash is marked interrupted. */
  answersInProgress: AnswersInProgress;
  /** The stored chats, as the chat pipeline and plugin events change them. */
  chats: ChatStore;
  /** The chat pipeline's ports (`core/ports.ts`), wired to the adapters above: what routes hand to `core/`. */
  turn: TurnPorts;
  /** Uploaded and plugin-made files: rows in the database, bytes under `DATA_DIR/uploads`. */
  files: FileStore;
  /** What plugins ask of the host over its service channel (`ctx.storage`, …): one table of methods. */
  pluginApi: PluginApi;
  /** `ctx.storage` in the database; swept of expired values while the server runs. */
  pluginStorage: PluginStorage;
  /** Per-user memories (`/api/v1/memories`, `ctx.memories`), ranked by `EMBEDDING_MODEL` or full text. */
  memories: MemoryService;
  /** Server events (`chat.created`, `function.enabled`, …) raised by routes, delivered to event plugins in the background. */
  events: ServerEventBus;
  /** The event plugins; asks one being switched off to finish (`function.disable_started`). */
  eventPlugins: EventPlugins;
  /** Names this instance (`SLUICE_INSTANCE_ID`, else host name and process id). */
  instanceId: string;
}

/** A plugin's staged `ctx.files.create` with no new piece for this long is dropped. */
const FILE_UPLOAD_IDLE_MS = 60 * 1000;

/** How often expired `ctx.storage` values are deleted (they read as missing before that). */
const STORAGE_SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** `postgres://user:password@host/db` without the password, for messages. */
function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `SQLite in ${config.dataDir}`;
  try {
    const url = new URL(config.databaseUrl);
    if (url.password) url.password = "***";
    return `PostgreSQL at ${url.toString()}`;
  } catch {
    return "PostgreSQL";
  }
}

/**
 * Opens and migrates the database, loads the secret key and creates the logger.
 * Throws an Error with a one-line message saying what failed.
 */
export async function createServices(config: Config, options: { logger?: Logger } = {}): Promise<AppServices> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const secretKey = loadSecretKey(config);
  const db = connectDatabase(config, {
    onConnectionError: (error) => logger.warn({ err: error }, "database connection lost"),
  });
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ migrations: applied }, "database migrated");
  } catch (error) {
    await db.destroy().catch((closeError) => logger.warn({ err: closeError }, "closing the database after a failed migration failed"));
    throw new Error(`Cannot open the database (${describeDatabase(config)}): ${(error as Error).message}`, { cause: error });
  }
  let realtime: Realtime;
  try {
    realtime = await createRealtime({
      authenticate: (token) => authenticateToken({ db, secretKey }, token),
      logger: logger.child({ component: "realtime" }),
      redisUrl: config.redisUrl,
      redisKeyPrefix: config.redisKeyPrefix,
    });
  } catch (error) {
    await db.destroy().catch((closeError) => logger.warn({ err: closeError }, "closing the database after a failed start failed"));
    throw error;
  }
  const pluginStorage = new PluginStorage({
    db,
    logger: logger.child({ component: "plugin-storage" }),
    limits: {
      maxKeyLength: config.pluginStorageMaxKeyLength,
      maxValueBytes: config.pluginStorageMaxValueBytes,
      maxTotalBytes: config.pluginStorageMaxTotalBytes,
    },
  });
  const secrets = createSecretBox(secretKey);
  const upstream = new OpenAIUpstream([], logger.child({ component: "upstream" }));
  const connections = new ConnectionSettings({ db, secrets, upstream, logger: logger.child({ component: "connections" }) });
  try {
    await connections.start(config);
    if (config.redisUrl) {
      connections.useFeed(
        await connectConnectionChangeFeed({
          url: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          logger: logger.child({ component: "connection-changes" }),
          onChange: () => connections.reload().catch((error) => logger.warn({ err: error }, "reading the changed connections failed")),
        }),
      );
    }
  } catch (error) {
    await realtime.close().catch((closeError) => logger.warn({ err: closeError }, "closing realtime after a failed start failed"));
    await db.destroy().catch((closeError) => logger.warn({ err: closeError }, "closing the database after a failed start failed"));
    throw new Error(`Cannot load the upstream connections: ${(error as Error).message}`, { cause: error });
  }
  const { embeddingModel } = config;
  const memories = createMemoryService({
    db,
    maxCharacters: config.memoryMaxCharacters,
    maxPerUser: config.memoryMaxPerUser,
    embeddings: embeddingModel
      ? { model: embeddingModel, embed: (texts, signal) => upstream.embed(embeddingModel, texts, signal) }
      : undefined,
  });
  const files = new FileStore({
    db,
    storage: createLocalFileStorage(path.join(config.dataDir, "uploads")),
    maxSizeMb: config.fileMaxSizeMb,
    logger: logger.child({ component: "files" }),
  });
  const fileService = createFileService(files);
  // `ctx.models` runs turns through the chat pipeline, whose ports are built below (they need this table).
  const turnPorts: { current?: TurnPorts } = {};
  const pluginApi = new PluginApi({
    ...storageMethods(pluginStorage),
    ...memoryMethods(memories),
    ...fileMethods(fileService, new FileUploads(fileService, { idleMs: FILE_UPLOAD_IDLE_MS, maxOpen: 4 })),
    ...chatMethods(db, { maxKeyLength: config.pluginStorageMaxKeyLength, maxValueBytes: config.pluginStorageMaxValueBytes }),
    ...modelMethods(() => turnPorts.current!),
    ...toolMethods(),
  });
  const loadOptions = {
    maxSourceBytes: config.maxPluginSourceBytes,
    logger: logger.child({ component: "plugin" }),
    timeoutMs: config.pluginTimeoutMs,
    streamTimeoutMs: config.pluginStreamTimeoutMs,
    waitUntilMs: config.pluginWaitUntilMs,
    memoryLimitMb: config.pluginMemoryMb,
    idleCpuMs: config.pluginIdleCpuMs,
    network: {
      allowPrivateNetwork: config.pluginAllowPrivateNetwork,
      fetchMaxBytes: config.pluginFetchMaxBytes,
      fetchTimeoutMs: config.pluginFetchTimeoutMs,
      fetchIdleTimeoutMs: config.pluginFetchIdleTimeoutMs,
    },
    // npm requirements, one folder per spec list, kept across restarts.
    requirements: {
      cacheDir: path.join(config.dataDir, "plugin-deps"),
      maxPackages: config.pluginRequirementsMax,
      concurrency: config.pluginInstallConcurrency,
      timeoutMs: config.pluginInstallTimeoutMs,
      maxCacheBytes: config.pluginDepsCacheMaxMb * 1024 * 1024,
    },
    // The trusted tier (`permissions: node`): each plugin's folder is `<dataDir>/plugins/<id>`.
    dataDir: config.dataDir,
    // A plugin that makes isolated-vm lose control of its isolate is switched off, then the server exits.
    onCatastrophicError: createPluginCrashHandler({ db, logger }),
    // Saved code runs for the first time in a child process, where losing control of it is harmless.
    firstLoadChecker: new FirstLoadChecker(),
    nodeTierUser: config.pluginNodeTierUser,
    // Open WebUI's Python plugins: the Python tier's interpreter.
    python: config.python,
    // The service channel of calls made outside a request (no user): requests bring their own (workspace/plugin-session.ts).
    pluginHost: (plugin: { pluginId: string; namespace: "function" | "tool" }) => ({
      serve: (method: string, args: unknown[]) => pluginApi.serve({ ...plugin, userId: null }, method, args),
    }),
  };
  const registry = new PluginRegistry({
    ...loadOptions,
    maxResident: config.pluginMaxResident,
    idleEvictMs: config.pluginIdleEvictSeconds * 1000,
  });
  // Filled in below once connected: the feed needs the workspace to apply remote changes.
  const feed: { current: PluginChangeFeed } = { current: LOCAL_CHANGE_FEED };
  const instanceId = config.instanceId ?? `${hostname()}:${process.pid}`;
  const workspace = new PluginWorkspace({
    db,
    registry,
    logger,
    instanceId,
    loadOptions,
    changes: { publish: (change) => feed.current.publish(change), close: async () => {} },
  });
  if (config.redisUrl) {
    try {
      feed.current = await connectPluginChangeFeed({
        url: config.redisUrl,
        keyPrefix: config.redisKeyPrefix,
        logger: logger.child({ component: "plugin-changes" }),
        onChange: (change) => workspace.applyRemoteChange(change),
      });
    } catch (error) {
      await connections.close();
      await realtime.close().catch((closeError) => logger.warn({ err: closeError }, "closing realtime after a failed start failed"));
      await db.destroy().catch((closeError) => logger.warn({ err: closeError }, "closing the database after a failed start failed"));
      throw new Error(`Cannot connect the plugin change feed to Redis: ${(error as Error).message}`, { cause: error });
    }
  }
  // Cached reads (plugins, models, users) are read again at once when another instance writes.
  const changes = tableChangesOf(db);
  const tableFeed =
    config.redisUrl && changes
      ? await connectTableChangeFeed({
          url: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          logger: logger.child({ component: "table-changes" }),
          changes,
        }).catch(async (error: unknown) => {
          await feed.current.close();
          await connections.close();
          await realtime.close().catch((closeError) => logger.warn({ err: closeError }, "closing realtime after a failed start failed"));
          await db.destroy().catch((closeError) => logger.warn({ err: closeError }, "closing the database after a failed start failed"));
          throw new Error(`Cannot connect the table change feed to Redis: ${(error as Error).message}`, { cause: error });
        })
      : undefined;
  const answersInProgress = new AnswersInProgress({
    db,
    logger: logger.child({ component: "answers-in-progress" }),
    instanceId,
    heartbeatMs: config.answerHeartbeatSeconds * 1000,
    staleMs: config.answerStaleSeconds * 1000,
  });
  await answersInProgress.start();
  const stores = createTurnStores(db);
  const turn: TurnPorts = {
    ...stores,
    plugins: createPluginPort({ workspace, secrets, logger, pluginApi, taskModel: config.taskModel }),
    events: createEventPort({ realtime, chats: stores.chats, config, logger }),
    gateway: upstream,
    files: createAttachmentSource(files),
    log: logger,
    settings: {
      maxToolCallIterations: config.maxToolCallIterations,
      maxAnswerCharacters: config.maxAnswerCharacters,
      taskModel: config.taskModel,
      enableTitleGeneration: config.enableTitleGeneration,
      maxModelCallDepth: config.pluginModelCallMaxDepth,
    },
  };
  turnPorts.current = turn;
  pluginStorage.startSweeping(STORAGE_SWEEP_INTERVAL_MS);
  const eventPlugins = createEventPlugins({ db, workspace, secrets, logger: logger.child({ component: "event-plugins" }), pluginApi });
  const events = new ServerEventBus({
    logger: logger.child({ component: "server-events" }),
    maxQueued: config.pluginEventQueueMax,
    listeners: () => eventPlugins.listeners(),
  });
  return {
    config,
    db,
    logger,
    secretKey,
    secrets,
    workspace,
    upstream,
    connections,
    realtime,
    pluginChanges: feed.current,
    tableChanges: tableFeed ?? { close: async () => {} },
    chatTasks: new ChatTasks(),
    chatAdmission: new ChatAdmission({
      maxRunning: config.chatMaxConcurrent,
      maxWaiting: config.chatQueueMax,
      maxWaitMs: config.chatQueueTimeoutSeconds * 1000,
    }),
    answersInProgress,
    chats: stores.chats,
    turn,
    files,
    pluginApi,
    pluginStorage,
    memories,
    events,
    eventPlugins,
    instanceId,
  };
}

/** Releases what {@link createServices} opened. */
export async function closeServices(services: AppServices): Promise<void> {
  services.events.close();
  services.answersInProgress.stop();
  services.pluginStorage.stopSweeping();
  await services.pluginChanges.close();
  await services.tableChanges.close();
  await services.connections.close();
  await services.realtime.close();
  services.workspace.registry.dispose();
  services.workspace.closeFirstLoadChecker();
  await services.db.destroy();
}
