import { describe, expect, it } from "vitest";
import type { ActionBody } from "@sluice/sdk";
import { createTestHarness } from "@sluice/sdk/testing";
import summarise from "./summarise-action.ts";

const REPLY = [
  "Rivers carry sediment from mountains to the sea.",
  "I hope that helps!",
  "The sediment settles where rivers slow down, building deltas.",
  "Fun fact: I like maps.",
  "Deltas grow as rivers keep depositing sediment.",
].join(" ");

const body = (content = REPLY): ActionBody => ({
  model: "gpt-4o-mini",
  id: "reply-1",
  chat_id: "chat-1",
  messages: [
    { id: "question-1", role: "user", content: "How do deltas form?" },
    { id: "reply-1", role: "assistant", content },
  ],
});

const SUMMARY =
  "Rivers carry sediment from mountains to the sea. The sediment settles where rivers slow down, building deltas. Deltas grow as rivers keep depositing sediment.";
const inBrowser = { metadata: { session_id: "socket-1" } };

describe("summarise-action", () => {
  it("has two buttons", () => {
    expect(createTestHarness(summarise).descriptor.actions?.map((entry) => entry.id)).toEqual(["summarise", "reading_time"]);
  });

  it("asks first, then replaces the reply with its key sentences", async () => {
    const harness = createTestHarness(summarise, { id: "summarise", ...inBrowser, answerCalls: () => true });
    expect(await harness.action(body(), { actionId: "summarise" })).toEqual({ messages: [{ id: "reply-1", content: SUMMARY }] });
    expect(harness.calls).toEqual([
      { type: "confirmation", data: { title: "Replace this reply?", message: "Only its 3 key sentences will be kept." }, answer: true },
    ]);
  });

  it("changes nothing when the user says no", async () => {
    const harness = createTestHarness(summarise, { id: "summarise", ...inBrowser, answerCalls: () => false });
    expect(await harness.action(body(), { actionId: "summarise" })).toBeNull();
  });

  it("does not ask a user who turned askFirst off, and honours the sentences valve", async () => {
    const harness = createTestHarness(summarise, {
      id: "summarise",
      ...inBrowser,
      answerCalls: () => true,
      valves: { sentences: 1 },
      userValves: { askFirst: false },
    });
    expect(await harness.action(body(), { actionId: "summarise" })).toEqual({
      messages: [{ id: "reply-1", content: "Deltas grow as rivers keep depositing sediment." }],
    });
    expect(harness.calls).toEqual([]);
  });

  it("gives API callers (no browser session) the summary without asking or changing the chat", async () => {
    const harness = createTestHarness(summarise, { id: "summarise" });
    expect(await harness.action(body(), { actionId: "summarise" })).toEqual({ content: SUMMARY });
  });

  it("leaves a short reply alone and says so", async () => {
    const harness = createTestHarness(summarise, { id: "summarise", ...inBrowser, answerCalls: () => true });
    expect(await harness.action(body("Short answer."), { actionId: "summarise" })).toBeNull();
    expect(harness.eventsOfType("notification")).toEqual([
      { type: "notification", data: { type: "info", content: "This reply is already short" } },
    ]);
    expect(harness.calls).toEqual([]);
  });

  it("reports the reading time with the other button", async () => {
    const harness = createTestHarness(summarise, { id: "summarise", valves: { wordsPerMinute: 50 } });
    const long = Array.from({ length: 120 }, () => "word").join(" ");
    expect(await harness.action(body(long), { actionId: "reading_time" })).toEqual({ content: "120 words, about 2 min to read" });
  });

  it("warns about a message without text", async () => {
    const harness = createTestHarness(summarise, { id: "summarise" });
    expect(await harness.action(body("   "), { actionId: "summarise" })).toBeNull();
    expect(harness.eventsOfType("notification")[0]?.data.type).toBe("warning");
  });
});
