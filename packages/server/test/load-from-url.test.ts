import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";
import { toggleFilter } from "./fixtures/plugin-sources.ts";

/** A server on loopback standing in for something on the server's private network. */
let internal: Server;
let internalUrl: string;
let requestsSeen = 0;
beforeAll(async () => {
  internal = createServer((request, response) => {
    requestsSeen++;
    if (request.url === "/toggle.ts") return response.end(toggleFilter);
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", resolve));
  internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => internal.close(() => resolve())));

describeEachDatabase("load/url by default", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;

  it("refuses loopback, private and metadata addresses, sending them nothing", async () => {
    admin = await signUpAdmin(sluice.url);
    const before = requestsSeen;
    for (const path of ["/api/v1/functions/load/url", "/api/v1/tools/load/url"]) {
      expectError(await sluice.api.post(path, { url: `${internalUrl}/toggle.ts` }, admin.token), 403, "PLUGIN_ALLOW_PRIVATE_NETWORK");
    }
    expectError(
      await sluice.api.post("/api/v1/functions/load/url", { url: `http://localhost:${new URL(internalUrl).port}/toggle.ts` }, admin.token),
      403,
      "127.0.0.1",
    );
    expectError(
      await sluice.api.post("/api/v1/functions/load/url", { url: "http://169.254.169.254/latest/meta-data/" }, admin.token),
      403,
      "169.254.169.254",
    );
    expectError(await sluice.api.post("/api/v1/functions/load/url", { url: `${sluice.url}/health` }, admin.token), 403, "127.0.0.1");
    expect(requestsSeen).toBe(before);
  });
});

describeEachDatabase("load/url with PLUGIN_ALLOW_PRIVATE_NETWORK=true", (kind) => {
  const sluice = useServer({ kind, env: { PLUGIN_ALLOW_PRIVATE_NETWORK: "true" } });

  it("loads from the private network", async () => {
    const admin = await signUpAdmin(sluice.url);
    const loaded = await sluice.api.post("/api/v1/functions/load/url", { url: `${internalUrl}/toggle.ts` }, admin.token);
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    expect(loaded.body).toEqual({ name: "toggle", content: toggleFilter });
  });
});
