import { availableParallelism } from "node:os";

/**
 * How many server processes `npm start` runs (`SLUICE_PROCESSES`): a whole number, or `auto`
 * for one per two CPU cores (at least one): each process's own thread takes one, and the
 * isolates' threads working for it and the garbage collector most of another
 * (docs/decisions/2026-12-06-one-process-per-two-cores.md). Unset: `auto` when `REDIS_URL` is
 * set, else 1. Processes beyond the first share the database and Redis, which carries what they
 * must tell each other (socket.io events, plugin and connection changes, stops of answers), so
 * more than one needs `REDIS_URL`. Throws an Error whose message names the setting.
 *
 * @example
 * serverProcessCount({ SLUICE_PROCESSES: "auto", REDIS_URL: "redis://127.0.0.1:6379" }, 4); // 2
 */
export function serverProcessCount(environment: NodeJS.ProcessEnv, cores: number = availableParallelism()): number {
  const hasRedis = Boolean(environment.REDIS_URL?.trim());
  const text = environment.SLUICE_PROCESSES?.trim() || (hasRedis ? "auto" : "1");
  const count = text === "auto" ? autoProcessCount(cores) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(count) || count < 1 || count > 64)
    throw new Error(`SLUICE_PROCESSES must be "auto" or a whole number from 1 to 64, got ${JSON.stringify(text)}`);
  if (count > 1 && !hasRedis)
    throw new Error(
      `SLUICE_PROCESSES=${text} runs ${count} processes, which need REDIS_URL to share events and changes; set REDIS_URL or SLUICE_PROCESSES=1`,
    );
  return count;
}

/** `SLUICE_PROCESSES=auto`: one server process per two cores, at least one. */
export function autoProcessCount(cores: number = availableParallelism()): number {
  return Math.max(1, Math.ceil(cores / 2));
}
