import type { AddressInfo } from "node:net";
import { SluiceError } from "@sluice/sdk";
import { INTERRUPTED_ANSWER_ERROR } from "./process/answers-in-progress.ts";
import { loadConfig, type Config } from "./config.ts";
import { buildApp } from "./http/app.ts";
import { trackInFlight } from "./http/track-in-flight.ts";
import { startLivenessWatchdog } from "./process/start-liveness-watchdog.ts";
import { closeServices, createServices, type AppServices } from "./services.ts";
import { warmUpPlugins } from "./workspace/warm-up-plugins.ts";
import { SLUICE_VERSION } from "./plugins/plugin-versions.ts";

const SHUTDOWN_TIMEOUT_MS = 10_000;
/** How long answers stopped at the end of the drain get to save what came. */
const INTERRUPTED_SAVE_TIMEOUT_MS = 3_000;

function fail(message: string): never {
  process.stderr.write(`Sluice: ${message}\n`);
  process.exit(1);
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

async function start(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    fail(`invalid configuration: ${(error as Error).message}`);
  }

  // A server whose event loop stands still (a thread isolated-vm suspended, say) ends itself.
  if (config.stallLimitSeconds > 0) startLivenessWatchdog({ stallLimitMs: config.stallLimitSeconds * 1000 });

  let services: AppServices;
  try {
    services = await createServices(config);
  } catch (error) {
    fail((error as Error).message);
  }

  const app = buildApp(services);
  const inFlight = trackInFlight(app);
  // A library's stray rejection (a Redis publish during an outage, say) is logged, never fatal.
  process.on("unhandledRejection", (reason) => services.logger.error({ err: reason }, "unhandled rejection"));
  services.realtime.attach(app.server);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await closeServices(services).catch((closeError) => services.logger.warn({ err: closeError }, "closing after a failed listen failed"));
    fail(`cannot listen on ${formatHost(config.host)}:${config.port}: ${(error as Error).message}`);
  }

  const { port } = app.server.address() as AddressInfo;
  // Test helpers and scripts wait for exactly this line.
  process.stdout.write(`Sluice listening on http://${formatHost(config.host)}:${port}\n`);
  // Every instance tells its own event plugins that it started.
  services.events.raise("system.startup", {
    subject: { type: "system", id: services.instanceId },
    actor: null,
    data: { version: SLUICE_VERSION },
  });
  warmUpPlugins(services).catch((error) => services.logger.error({ err: error }, "loading plugins at start-up failed"));

  let isStopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (isStopping) return;
    isStopping = true;
    services.logger.info({ signal, inFlight: inFlight.count }, "shutting down");
    const drainMs = config.shutdownDrainSeconds * 1000;
    setTimeout(() => fail("shutdown took too long; exiting"), drainMs + SHUTDOWN_TIMEOUT_MS).unref();
    try {
      // No new connections; answers in flight finish and are saved while realtime still carries
      // their events, for at most SHUTDOWN_DRAIN_SECONDS.
      app.server.close();
      // Chats not started yet are refused (503, Retry-After), rather than started and cut at the end of the drain.
      services.chatAdmission.stop();
      if (!(await inFlight.drained(drainMs))) {
        services.logger.warn({ inFlight: inFlight.count }, "answers still running at the end of the drain; stopping them");
        // Each saves what came with an error saying why, and tells its client.
        services.chatTasks.interruptAll(new SluiceError("UNAVAILABLE", INTERRUPTED_ANSWER_ERROR));
        await inFlight.drained(INTERRUPTED_SAVE_TIMEOUT_MS);
      }
      // One that could not save itself (a pipe deaf to the stop) is marked before the database closes.
      await services.answersInProgress.interruptOwn();
      // Open sockets would keep the HTTP server from closing.
      await services.realtime.close();
      await app.close();
      await closeServices(services);
    } catch (error) {
      fail(`error while shutting down: ${(error as Error).message}`);
    }
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // Under `npm start` (supervise.ts): say it is serving, and end with the supervisor.
  if (process.send) {
    process.send({ type: "listening" });
    process.on("disconnect", () => void stop("SIGTERM"));
  }
}

await start();
