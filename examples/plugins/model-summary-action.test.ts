import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError, type ActionBody, type ChatCompletion } from "@sluice/sdk";
import { createTestHarness, type TestModels } from "@sluice/sdk/testing";
import { startFakeUpstream, type FakeUpstream } from "../../packages/server/test/helpers/fake-upstream.ts";
import modelSummary from "./model-summary-action.ts";

// ctx.models.complete is answered by the test suite's fake OpenAI-compatible upstream, on
// loopback, for real: the fake echoes the last user message ("You said: …").
let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream?.close());

const fromUpstream: TestModels["complete"] = async (request) => {
  const response = await fetch(`${upstream.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  if (!response.ok) throw new SluiceError("UPSTREAM_ERROR", `${request.model} answered ${response.status}`);
  return (await response.json()) as ChatCompletion;
};

const REPLY = "Deltas form where rivers lose speed and drop their sediment.";
const body: ActionBody = {
  model: "fake-large",
  id: "reply-1",
  chat_id: "chat-1",
  messages: [
    { id: "question-1", role: "user", content: "How do deltas form?" },
    { id: "reply-1", role: "assistant", content: REPLY },
  ],
};

describe("model-summary-action", () => {
  it("asks the task model for a summary, with its filters, and adds it under the reply in the browser", async () => {
    const harness = createTestHarness(modelSummary, {
      metadata: { session_id: "tab-1" },
      models: { task: "fake-small", complete: fromUpstream },
    });
    expect(await harness.action(body)).toEqual({
      messages: [{ id: "reply-1", content: `${REPLY}\n\n> **Summary:** You said: ${REPLY}` }],
    });
    expect(harness.modelCalls).toEqual([
      {
        request: {
          model: "fake-small",
          messages: [
            { role: "system", content: "Summarise the text the user sends in at most 2 sentences." },
            { role: "user", content: REPLY },
          ],
          temperature: 0,
        },
        options: { filters: true },
      },
    ]);
    expect(upstream.chatBodies().at(-1)).toMatchObject({ model: "fake-small", temperature: 0 });
    expect(harness.eventsOfType("status").at(-1)?.data).toEqual({ description: "Summarised by fake-small", done: true });
  });

  it("gives API callers the summary, from the chat's model when there is no task model, filters off by valve", async () => {
    const harness = createTestHarness(modelSummary, { valves: { runFilters: false }, models: { complete: fromUpstream } });
    expect(await harness.action(body)).toEqual({ content: `You said: ${REPLY}` });
    expect(harness.modelCalls[0]).toMatchObject({ request: { model: "fake-large" }, options: { filters: false } });
  });

  it("says why when the model cannot be used, and changes nothing", async () => {
    const harness = createTestHarness(modelSummary, {
      valves: { model: "gpt-5" },
      models: {
        complete: () => {
          throw new SluiceError("FORBIDDEN", 'ctx.models.complete: model "gpt-5" is not available to this user');
        },
      },
    });
    expect(await harness.action(body)).toBeNull();
    expect(harness.eventsOfType("notification").at(-1)?.data).toEqual({
      type: "error",
      content: 'No summary: ctx.models.complete: model "gpt-5" is not available to this user',
    });
  });

  it("turns an upstream failure into a notification too", async () => {
    const harness = createTestHarness(modelSummary, { models: { complete: fromUpstream } });
    const failing = { ...body, messages: [{ id: "reply-1", role: "assistant" as const, content: "please fail" }] };
    expect(await harness.action(failing)).toBeNull();
    expect(harness.eventsOfType("notification").at(-1)?.data).toMatchObject({
      type: "error",
      content: "No summary: fake-large answered 500",
    });
  });
});
