import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

/** A pipe that proxies to an OpenAI-compatible API with ctx.fetch, as a plugin author would write it. */
function proxyPipe(permissions: string): string {
  return `/**
 * title: Proxy
 * permissions: ${permissions}
 */
import { definePipe, z } from "@sluice/sdk";
export default definePipe({
  valves: z.object({ baseUrl: z.string(), apiKey: z.string().default("").meta({ input: { type: "password" } }) }),
  async pipe(body, ctx) {
    const response = await ctx.fetch(ctx.valves.baseUrl + "/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + ctx.valves.apiKey },
      body: JSON.stringify({ model: "fake-small", messages: body.messages, stream: false }),
    });
    const answer = await response.json();
    return "via pipe: " + answer.choices[0].message.content;
  },
});
`;
}

describe("a pipe calling an upstream through ctx.fetch", () => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { PLUGIN_ALLOW_PRIVATE_NETWORK: "true" };
  beforeAll(async () => {
    fake = await startFakeUpstream({ apiKey: "sk-pipe" });
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;

  const store = async (id: string, content: string) => {
    const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    const valves = await sluice.api.post(
      `/api/v1/functions/id/${id}/valves/update`,
      { baseUrl: fake.baseUrl, apiKey: "sk-pipe" },
      admin.token,
    );
    expect(valves.status, JSON.stringify(valves.body)).toBe(200);
  };

  // The fake upstream's host and port: a grant without a port covers 443 and 80 only.
  const upstreamGrant = () => `network:${new URL(fake.baseUrl).host}`;

  it("reaches a host and port its permissions name", async () => {
    admin = await signUpAdmin(sluice.url);
    await store("proxy", proxyPipe(upstreamGrant()));
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "proxy", messages: [{ role: "user", content: "hello" }] },
      admin.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("via pipe: You said: hello");
    expect(fake.requests.at(-1)!.headers.authorization).toBe("Bearer sk-pipe");
  });

  it("is refused for a host it was not granted, naming the host", async () => {
    await store("wrong_host", proxyPipe("network:api.example.com"));
    const refused = await sluice.api.post(
      "/api/chat/completions",
      { model: "wrong_host", messages: [{ role: "user", content: "hello" }] },
      admin.token,
    );
    expectError(refused, 403, "127.0.0.1");
    expect(refused.body).toMatchObject({ code: "PERMISSION_DENIED", plugin_id: "wrong_host" });
  });

  it("is refused for a port its grant does not name, before anything is sent", async () => {
    await store("wrong_port", proxyPipe("network:127.0.0.1"));
    const sent = fake.requests.length;
    const refused = await sluice.api.post(
      "/api/chat/completions",
      { model: "wrong_port", messages: [{ role: "user", content: "hello" }] },
      admin.token,
    );
    expectError(refused, 403, `may not reach ${new URL(fake.baseUrl).host}: its permissions allow 127.0.0.1`);
    expect(fake.requests.length).toBe(sent);
  });

  it("refuses to save a wildcard on a public suffix, naming the pattern", async () => {
    for (const pattern of ["*.co.uk", "*.github.io"]) {
      const created = await sluice.api.post(
        "/api/v1/functions/create",
        { id: "suffix", name: "suffix", content: proxyPipe(`network:${pattern}`) },
        admin.token,
      );
      expectError(created, 400, `permissions: "network:${pattern}" is not valid: ${pattern.slice(2)} is a public suffix`);
    }
    expect((await sluice.api.get("/api/v1/functions/id/suffix", admin.token)).status).toBe(404);
  });

  it("stops the pipe, and the request it made, when the client goes away", async () => {
    const slowProxy = proxyPipe(upstreamGrant()).replace("stream: false", "stream: true");
    await store("slow_proxy", slowProxy);
    const abortedBefore = fake.abortedRequests;
    const controller = new AbortController();
    const pending = fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ model: "slow_proxy", messages: [{ role: "user", content: "slow please" }], stream: true }),
      signal: controller.signal,
    }).catch(() => undefined);
    // The pipe is now waiting on the upstream's slow answer (200 ticks, 50 ms apart).
    await vi.waitFor(() => expect(fake.chatBodies().at(-1)?.messages).toEqual([{ role: "user", content: "slow please" }]), {
      timeout: 5000,
    });
    controller.abort();
    await pending;
    await vi.waitFor(() => expect(fake.abortedRequests).toBe(abortedBefore + 1), { timeout: 5000 });
  });
});

// Fixes issue, point 14: `network:*` (any public host) for plugins whose base URL is a valve.
describe("a pipe with network:*", () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({ apiKey: "sk-pipe" });
  });
  afterAll(() => fake?.close());
  const open = useServer({ kind: "sqlite", env: { PLUGIN_ALLOW_PRIVATE_NETWORK: "true" } });
  const closed = useServer({ kind: "sqlite" });

  const store = async (sluice: typeof open, admin: TestAccount, content: string) => {
    const created = await sluice.api.post("/api/v1/functions/create", { id: "anywhere", name: "Anywhere", content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await sluice.api.post("/api/v1/functions/id/anywhere/toggle", undefined, admin.token);
    await sluice.api.post("/api/v1/functions/id/anywhere/valves/update", { baseUrl: fake.baseUrl, apiKey: "sk-pipe" }, admin.token);
    return created.body;
  };
  const ask = (sluice: typeof open, admin: TestAccount) =>
    sluice.api.post("/api/chat/completions", { model: "anywhere", messages: [{ role: "user", content: "hello" }] }, admin.token);

  it("is saved as asked and reaches the host its valve names", async () => {
    const admin = await signUpAdmin(open.url);
    const port = new URL(fake.baseUrl).port;
    const row = await store(open, admin, proxyPipe(`network:*:${port}`));
    expect(row.meta.permissions).toEqual({ requested: [`network:*:${port}`], granted: [`network:*:${port}`] });
    const answer = await ask(open, admin);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("via pipe: You said: hello");
  });

  it("still never reaches loopback or private addresses unless the server allows them", async () => {
    const admin = await signUpAdmin(closed.url);
    await store(closed, admin, proxyPipe(`network:*:${new URL(fake.baseUrl).port}`));
    expectError(await ask(closed, admin), 403, "127.0.0.1");
    expect(fake.requests.filter((request) => request.headers.authorization === "Bearer sk-pipe")).toHaveLength(1);
  });
});
