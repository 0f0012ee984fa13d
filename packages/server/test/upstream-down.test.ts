import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

// Fixes issue, point 11: with the upstream down, sending said "Model not found". It now says the
// upstream is unreachable, naming it, with the status the upstream gave when it gave one.

const chat = { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] };

describe("an upstream that cannot be reached", () => {
  const sluice = useServer({ kind: "sqlite", env: { OPENAI_API_BASE_URL: "http://127.0.0.1:9/v1", ENABLE_TITLE_GENERATION: "false" } });

  it("is named in the error, not reported as a missing model", async () => {
    const admin = await signUpAdmin(sluice.url);
    const answer = await sluice.api.post("/api/chat/completions", chat, admin.token);
    expectError(answer, 502, /^Model "gpt-4o" is not available: cannot list the models of 127\.0\.0\.1:9/);
  });
});

describe("an upstream that answers with an error status", () => {
  let broken: http.Server;
  const env: Record<string, string> = { ENABLE_TITLE_GENERATION: "false" };
  beforeAll(async () => {
    broken = http.createServer((_request, response) => {
      response.writeHead(503, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: "overloaded, try later" } }));
    });
    await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
    env.OPENAI_API_BASE_URL = `http://127.0.0.1:${(broken.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => broken?.close());
  const sluice = useServer({ kind: "sqlite", env });

  it("gives that status and message", async () => {
    const admin = await signUpAdmin(sluice.url);
    const answer = await sluice.api.post("/api/chat/completions", chat, admin.token);
    expectError(answer, 502, /answered 503: overloaded, try later/);
  });
});
