import { afterAll, beforeAll } from "vitest";
import { api, type Api } from "./api.ts";
import { type RunningServer, type StartServerOptions, startServer } from "./start-server.ts";

export interface ServerHandle {
  /** The running server (available inside tests and hooks, not at suite definition). */
  readonly server: RunningServer;
  readonly url: string;
  /** An unauthenticated client; pass a token per call. */
  readonly api: Api;
}

/**
 * Starts one server before the suite's tests and stops it (dropping its database) after them.
 *
 * @example
 * describeEachDatabase("accounts", (kind) => {
 *   const sluice = useServer({ kind });
 *   it("is healthy", async () => expect((await sluice.api.get("/health")).body).toEqual({ status: true }));
 * });
 */
export function useServer(options: StartServerOptions): ServerHandle {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await startServer(options);
  });
  afterAll(async () => {
    await running?.stop();
  });
  const current = (): RunningServer => {
    if (!running) throw new Error("The server is not running: use it inside tests or hooks");
    return running;
  };
  return {
    get server() {
      return current();
    },
    get url() {
      return current().url;
    },
    get api() {
      return api(current().url);
    },
  };
}
