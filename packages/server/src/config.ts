import path from "node:path";

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
  /** Lifetime of issued JWTs, in seconds; 0 = no expiry. */
  jwtExpiresInSeconds: number;
  redisUrl?: string;
  /** Largest plugin source accepted, in bytes. */
  maxPluginSourceBytes: number;
  logLevel: string;
}

function readInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

/** Reads the configuration from environment variables (see README for the list). */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const defaultRole = (environment.DEFAULT_USER_ROLE ?? "pending").trim();
  if (defaultRole !== "pending" && defaultRole !== "user") {
    throw new Error(`DEFAULT_USER_ROLE must be "pending" or "user", got "${defaultRole}"`);
  }
  const databaseUrl = environment.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(`DATABASE_URL must start with postgres:// (SQLite is the default when it is unset)`);
  }
  return {
    port: readInteger(environment.PORT, 8080, "PORT"),
    host: environment.HOST?.trim() || "0.0.0.0",
    dataDir: path.resolve(environment.DATA_DIR?.trim() || "data"),
    databaseUrl,
    secretKey: environment.WEBUI_SECRET_KEY?.trim() || undefined,
    defaultUserRole: defaultRole,
    jwtExpiresInSeconds: readInteger(environment.JWT_EXPIRES_IN_SECONDS, 0, "JWT_EXPIRES_IN_SECONDS"),
    redisUrl: environment.REDIS_URL?.trim() || undefined,
    maxPluginSourceBytes: readInteger(environment.PLUGIN_MAX_SOURCE_BYTES, 1024 * 1024, "PLUGIN_MAX_SOURCE_BYTES"),
    logLevel: environment.LOG_LEVEL?.trim() || "info",
  };
}
