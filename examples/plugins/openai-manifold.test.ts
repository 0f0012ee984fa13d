import { describe, expect, it } from "vitest";
import type { ChatBody } from "@sluice/sdk";
import { createTestHarness } from "@sluice/sdk/testing";
import manifold from "./openai-manifold.ts";

const body: ChatBody = {
  model: "openai_manifold.gpt-4_1",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi!", id: "m1", timestamp: 1_700_000_000 },
  ],
  temperature: 0.2,
  chat_id: "chat-1",
  session_id: "socket-1",
  stream: true,
};

const completion = (content: string) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 0,
  model: "gpt-4.1",
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
});

describe("openai-manifold", () => {
  it("lists one model per entry of the models valve, with ids safe for Sluice", async () => {
    const harness = createTestHarness(manifold, { id: "openai_manifold", valves: { models: " gpt-4o-mini, gpt-4.1 ,gpt-4o-mini" } });
    expect(await harness.pipes()).toEqual([
      { id: "gpt-4o-mini", name: "OpenAI: gpt-4o-mini" },
      { id: "gpt-4_1", name: "OpenAI: gpt-4.1" },
    ]);
  });

  it("calls <baseUrl>/chat/completions with the real model id and the key, and returns the answer", async () => {
    const harness = createTestHarness(manifold, {
      id: "openai_manifold",
      valves: { apiKey: "sk-test", baseUrl: "https://llm.example.com/v1/" },
      fetch: () => ({ body: completion("Hello there.") }),
    });
    expect(await harness.pipe(body, { subModel: "gpt-4_1" })).toBe("Hello there.");

    expect(harness.fetches).toHaveLength(1);
    const [request] = harness.fetches;
    expect(request).toMatchObject({
      url: "https://llm.example.com/v1/chat/completions",
      method: "POST",
      headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
    });
    expect(JSON.parse(request!.body as string)).toEqual({
      model: "gpt-4.1",
      stream: false,
      temperature: 0.2,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi!" },
      ],
    });
  });

  it("turns an upstream error into an UPSTREAM_ERROR with the provider's message", async () => {
    const harness = createTestHarness(manifold, {
      valves: { apiKey: "sk-wrong" },
      fetch: () => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }),
    });
    await expect(harness.pipe(body, { subModel: "gpt-4o-mini" })).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: "gpt-4o-mini answered 401: Incorrect API key provided",
    });
  });

  it("asks for the key before calling anyone, and refuses models it does not list", async () => {
    const harness = createTestHarness(manifold, { fetch: () => ({ body: completion("unused") }) });
    await expect(harness.pipe(body, { subModel: "gpt-4o-mini" })).rejects.toMatchObject({ code: "VALVES_INVALID" });
    await expect(harness.pipe(body, { subModel: "o3", valves: { apiKey: "sk-test" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(harness.fetches).toEqual([]);
  });

  it("marks the key as a secret and checks baseUrl is a URL", () => {
    const harness = createTestHarness(manifold);
    expect(harness.descriptor.secretFields).toEqual(["apiKey"]);
    expect(harness.validateValves("valves", { baseUrl: "api.openai.com" })).toMatchObject({ ok: false, issues: [{ path: "baseUrl" }] });
  });
});
