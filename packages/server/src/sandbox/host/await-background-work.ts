import type { Logger } from "pino";
import type { BackgroundOutcome } from "@sluice/sdk/runtime";
import type { Invocation } from "./host-calls.ts";
import { parsePluginJson } from "./parse-plugin-json.ts";
import type { PluginConnection } from "./plugin-transport.ts";

export interface BackgroundWorkOptions {
  pluginId: string;
  /** `PLUGIN_WAIT_UNTIL_MS`: how long the work may go on after its hook returned, in all. */
  waitUntilMs: number;
  logger: Logger;
}

/**
 * The host's side of `ctx.waitUntil`, for hooks, pipes and stream sessions alike: once the call's
 * hook returned (its answer already delivered), the call stays registered, so the plugin's emit,
 * storage and fetch keep working for the work and the plugin is in use (not disposed or evicted);
 * this asks the runtime (`awaitBackground`) to answer when the work settled, logs what failed,
 * and past `waitUntilMs` cuts it: `abortInvocation` aborts its `ctx.signal` and ends it in the
 * plugin, and code that is running away is stopped as for a timeout. Never rejects; the caller
 * unregisters the call afterwards.
 */
export async function awaitBackgroundWork(
  connect: () => PluginConnection | Promise<PluginConnection>,
  invocation: Invocation,
  options: BackgroundWorkOptions,
): Promise<void> {
  const { pluginId, waitUntilMs, logger } = options;
  const fields = { pluginId, hook: invocation.hook };
  // The hook's clock is done; the work is bounded by the wall clock below.
  invocation.clock?.stop();
  invocation.clock = undefined;
  let connection: PluginConnection;
  try {
    connection = await connect();
  } catch {
    return; // The plugin is gone, and its work with it.
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), waitUntilMs);
    timer.unref();
  });
  const work = connection.call("awaitBackground", [invocation.id], waitUntilMs).then(
    (text) => ({ text }),
    (error: unknown) => ({ error }),
  );
  const outcome = await Promise.race([work, expired]);
  clearTimeout(timer);
  if (outcome === "expired") {
    logger.warn(
      { ...fields, waitUntilMs },
      `background work (ctx.waitUntil) of plugin "${pluginId}" ran past PLUGIN_WAIT_UNTIL_MS (${waitUntilMs} ms) and was cut`,
    );
    connection.notify("abortInvocation", [invocation.id, `The background work ran past its time limit (${waitUntilMs} ms)`]);
    await connection.confirmTimeout({ id: invocation.id, hook: invocation.hook, timeoutMs: waitUntilMs });
    return;
  }
  if ("error" in outcome) {
    logger.warn({ ...fields, err: outcome.error }, `background work (ctx.waitUntil) of plugin "${pluginId}" ended with its sandbox`);
    return;
  }
  for (const error of readErrors(outcome.text)) {
    logger.error({ ...fields, code: error.code }, `background work (ctx.waitUntil) of plugin "${pluginId}" failed: ${error.message}`);
  }
}

function readErrors(text: string): Array<{ code: string; message: string }> {
  try {
    const outcome = parsePluginJson(text) as Partial<BackgroundOutcome> | null;
    if (!Array.isArray(outcome?.errors)) return [];
    return outcome.errors.slice(0, 100).map((error) => ({
      code: typeof error?.code === "string" ? error.code : "PLUGIN_ERROR",
      message: typeof error?.message === "string" ? error.message.slice(0, 2000) : "(no message)",
    }));
  } catch {
    return [];
  }
}
