import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ChatBody } from "@sluice/sdk";
import { createTestHarness, type TestFetch } from "@sluice/sdk/testing";
import { startFakeUpstream, type FakeUpstream } from "../../packages/server/test/helpers/fake-upstream.ts";
import provider from "./streaming-provider.ts";

// The test suite's fake OpenAI-compatible upstream, on loopback, answers for real: ctx.fetch is
// Node's fetch here, and its response body streams into the plugin as the upstream sends it.
let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream({ apiKey: "sk-test" });
});
afterAll(() => upstream?.close());

const realFetch: TestFetch = (request) => fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
const ask = (content: string): ChatBody => ({ model: "streaming_provider", messages: [{ role: "user", content }], stream: true });
const harness = () =>
  createTestHarness(provider, { valves: { baseUrl: upstream.baseUrl, apiKey: "sk-test", model: "fake-small" }, fetch: realFetch });

describe("streaming-provider", () => {
  it("asks the upstream for a stream and yields its text piece by piece", async () => {
    const plugin = harness();
    const output = await plugin.run("pipe", ask("hello"));
    expect(output.chunks).toEqual(["You", " said:", " hello"]);
    expect(upstream.chatBodies().at(-1)).toMatchObject({
      model: "fake-small",
      stream: true,
      messages: [{ role: "user", content: "hello" }],
    });
    expect(plugin.fetches[0]!.headers).toMatchObject({ authorization: "Bearer sk-test" });
  });

  it("turns an upstream error, before or during the stream, into an UPSTREAM_ERROR", async () => {
    await expect(harness().pipe(ask("please fail"))).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: expect.stringContaining("fake-small answered 500"),
    });
    await expect(harness().pipe(ask("stream error"))).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: "fake-small failed while answering: stream exploded",
    });
  });

  it("stops the upstream request when the chat is stopped", async () => {
    const plugin = harness();
    const aborted = upstream.abortedRequests;
    const running = plugin.pipe(ask("slow please")).catch((error: unknown) => error);
    await vi.waitFor(() => expect(upstream.chatBodies().at(-1)?.messages).toEqual([{ role: "user", content: "slow please" }]));
    plugin.abort("The client went away");
    expect(await running).toMatchObject({ message: expect.stringContaining("The client went away") });
    await vi.waitFor(() => expect(upstream.abortedRequests).toBe(aborted + 1));
  });

  it("needs an API key", async () => {
    const plugin = createTestHarness(provider, { fetch: realFetch });
    await expect(plugin.pipe(ask("hi"))).rejects.toMatchObject({ code: "VALVES_INVALID" });
    expect(plugin.fetches).toHaveLength(0);
  });
});
