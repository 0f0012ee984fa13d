import { describe, expect, it } from "vitest";
import { messagesBodySchema } from "./messages-body.ts";

describe("messagesBodySchema", () => {
  it("takes the body the UI sends for an action, keeping fields it does not know for the plugin", () => {
    const body = messagesBodySchema.parse({
      model: "gpt-small",
      messages: [{ id: "a1", role: "assistant", content: "Hi", statusHistory: [] }],
      chat_id: "c1",
      id: "a1",
      session_id: null,
      extra: { from: "ui" },
    });
    expect(body).toMatchObject({ model: "gpt-small", chat_id: "c1", extra: { from: "ui" }, messages: [{ statusHistory: [] }] });
  });

  it("says in words what is missing", () => {
    expect(messagesBodySchema.safeParse({ model: "", messages: [] }).error!.issues[0]!.message).toBe("model is required");
    expect(messagesBodySchema.safeParse({ model: "m" }).success).toBe(false);
  });
});
