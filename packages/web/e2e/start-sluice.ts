import { startFakeUpstream, type FakeUpstream } from "../../server/test/helpers/fake-upstream.ts";
import { startServer, type RunningServer } from "../../server/test/helpers/start-server.ts";

export interface SluiceForBrowser {
  server: RunningServer;
  upstream: FakeUpstream;
  url: string;
  stop(): Promise<void>;
}

/**
 * A real Sluice process on SQLite whose upstream is the fake one on loopback (models
 * `fake-small`, `fake-large`; it answers "You said: …"). The web UI must be built
 * (the e2e project's global setup does it).
 */
export async function startSluice(env: Record<string, string> = {}): Promise<SluiceForBrowser> {
  const upstream = await startFakeUpstream();
  let server: RunningServer;
  try {
    server = await startServer({
      kind: "sqlite",
      env: { OPENAI_API_BASE_URL: upstream.baseUrl, WEBSOCKET_EVENT_CALLER_TIMEOUT: "30", ...env },
    });
  } catch (error) {
    await upstream.close();
    throw error;
  }
  return {
    server,
    upstream,
    url: server.url,
    async stop() {
      await server.stop();
      await upstream.close();
    },
  };
}
