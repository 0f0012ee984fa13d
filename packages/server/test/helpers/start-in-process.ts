import type { AddressInfo } from "node:net";
import { loadConfig } from "../../src/config.ts";
import { buildApp } from "../../src/http/app.ts";
import { type AppServices, closeServices, createServices } from "../../src/services.ts";
import { TEST_SECRET_KEY } from "./start-server.ts";
import type { TestDatabase } from "./test-database.ts";

/** A real server (HTTP and socket.io on a real port, a real database) running inside the test process. */
export interface InProcessServer {
  services: AppServices;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts Sluice in the test process, as main.ts does, so a test can call server-side APIs (such
 * as `createEventEmitter`) directly while browsers connect over real sockets. Prefer
 * `startServer` (a separate process) for anything reachable over HTTP.
 *
 * @example
 * const sluice = await startInProcess(database, { WEBSOCKET_EVENT_CALLER_TIMEOUT: "0.5" });
 * createEventEmitter(sluice.services, { userId }).emit({ type: "notification", data: { type: "info", content: "Hi" } });
 * await sluice.close();
 */
export async function startInProcess(database: TestDatabase, env: Record<string, string> = {}): Promise<InProcessServer> {
  const config = loadConfig({
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl ?? "",
    WEBUI_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: "silent",
    ...env,
  });
  const services = await createServices(config);
  const app = buildApp(services);
  services.realtime.attach(app.server);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  let isClosed = false;
  return {
    services,
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (isClosed) return;
      isClosed = true;
      await services.realtime.close();
      await app.close();
      await closeServices(services);
    },
  };
}
