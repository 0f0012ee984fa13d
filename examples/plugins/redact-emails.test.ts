import { describe, expect, it } from "vitest";
import type { ChatBody, StreamEvent } from "@sluice/sdk";
import { createTestHarness } from "@sluice/sdk/testing";
import redactEmails from "./redact-emails.ts";

const body = (): ChatBody => ({
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "Support desk. Escalations go to boss@example.com." },
    { role: "user", content: "I am ada.lovelace+work@analytical.co.uk, cc charles@babbage.org please" },
    { role: "assistant", content: "Noted: ops@example.com" },
    {
      role: "user",
      content: [
        { type: "text", text: "Also me@x.io" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      ],
    },
  ],
});

const chunk = (content: string | undefined, finishReason: string | null = null): StreamEvent => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finishReason }],
});

async function streamThrough(harness: ReturnType<typeof createTestHarness<typeof redactEmails>>, pieces: string[]) {
  const shown: Array<StreamEvent | null> = [];
  for (const piece of pieces) shown.push(await harness.stream(chunk(piece), { metadata: { message_id: "reply-1" } }));
  shown.push(await harness.stream(chunk(undefined, "stop"), { metadata: { message_id: "reply-1" } }));
  return shown;
}

const textOf = (shown: Array<StreamEvent | null>) => shown.map((event) => event?.choices[0]?.delta.content ?? "").join("");

describe("redact-emails: inlet", () => {
  it("hides addresses in user messages only, including text parts, and says how many", async () => {
    const harness = createTestHarness(redactEmails);
    const result = await harness.inlet(body());
    expect(result.messages.map((message) => message.content)).toEqual([
      "Support desk. Escalations go to boss@example.com.",
      "I am [email hidden], cc [email hidden] please",
      "Noted: ops@example.com",
      [
        { type: "text", text: "Also [email hidden]" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      ],
    ]);
    expect(harness.eventsOfType("status")).toEqual([
      { type: "status", data: { description: "Hid 3 e-mail addresses from the model", done: true } },
    ]);
  });

  it("uses the replacement valve, and emits nothing when there is nothing to hide", async () => {
    const harness = createTestHarness(redactEmails, { valves: { replacement: "<redacted>" } });
    expect((await harness.inlet(body())).messages[1]!.content).toBe("I am <redacted>, cc <redacted> please");
    harness.clear();
    await harness.inlet({ model: "m", messages: [{ role: "user", content: "no addresses here" }] });
    expect(harness.events).toEqual([]);
  });

  it("leaves everything alone for a user who switched it off", async () => {
    const harness = createTestHarness(redactEmails, { userValves: { enabled: false } });
    expect(await harness.inlet(body())).toEqual(body());
    expect(await harness.stream(chunk("mail me@x.io now"))).toEqual(chunk("mail me@x.io now"));
    expect(harness.events).toEqual([]);
  });
});

describe("redact-emails: stream", () => {
  it("hides an address split across chunks without ever showing part of it", async () => {
    const harness = createTestHarness(redactEmails);
    const shown = await streamThrough(harness, ["Write to ada.love", "lace@exam", "ple.com or ", "call."]);
    expect(textOf(shown)).toBe("Write to [email hidden] or call.");
    expect(shown.map((event) => event?.choices[0]?.delta.content ?? null)).toEqual([
      "Write to ",
      null,
      "[email hidden] or ",
      null,
      "call.",
    ]);
    for (const event of shown) expect(event?.choices[0]?.delta.content ?? "").not.toMatch(/@|lace|exam/);
  });

  it("drops a chunk whose text is all held back (null), and keeps chunks that carry anything else", async () => {
    const harness = createTestHarness(redactEmails);
    expect(await harness.stream(chunk("partial"), { metadata: { message_id: "reply-2" } })).toBeNull();
    const withRole = (): StreamEvent => ({ id: "chatcmpl-2", choices: [{ index: 0, delta: { role: "assistant", content: "" } }] });
    expect(await harness.stream(withRole())).toEqual(withRole());
    const usageOnly = (): StreamEvent => ({ id: "chatcmpl-2", choices: [], usage: { total_tokens: 3 } });
    expect(await harness.stream(usageOnly())).toEqual(usageOnly());
  });

  it("keeps replies apart by message id", async () => {
    const harness = createTestHarness(redactEmails);
    await harness.stream(chunk("first"), { metadata: { message_id: "a" } });
    await harness.stream(chunk("second"), { metadata: { message_id: "b" } });
    const endOfA = await harness.stream(chunk(" reply", "stop"), { metadata: { message_id: "a" } });
    expect(endOfA?.choices[0]?.delta.content).toBe("first reply");
  });
});
