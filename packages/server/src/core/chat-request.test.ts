import { describe, expect, it } from "vitest";
import { chatRequestSchema, modelBody } from "./chat-request.ts";

describe("chatRequestSchema", () => {
  it("keeps fields it does not know, for the model and the plugins", () => {
    const request = chatRequestSchema.parse({ model: "m", messages: [{ role: "user", content: "hi" }], temperature: 0.3, seed: 1 });
    expect(request).toMatchObject({ temperature: 0.3, seed: 1 });
  });

  it("says what is wrong with a request in words", () => {
    const result = chatRequestSchema.safeParse({ model: "", messages: [{ role: "robot", content: "hi" }] });
    const messages = result.error!.issues.map((issue) => issue.message);
    expect(messages).toContain("model is required");
    expect(messages).toContain('role must be one of "system", "developer", "user", "assistant", "tool"');
    expect(chatRequestSchema.safeParse({ model: "m", messages: [] }).error!.issues[0]!.message).toBe(
      "messages must hold at least one message",
    );
  });
});

describe("modelBody", () => {
  it("drops Open WebUI's fields and keeps the OpenAI request", () => {
    const request = chatRequestSchema.parse({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      temperature: 0.2,
      tools: [{ type: "function", function: { name: "f" } }],
      chat_id: "c1",
      id: "a1",
      session_id: "s1",
      filter_ids: ["f"],
      tool_ids: ["t"],
      files: [{ id: "file" }],
      features: { web_search: true },
      background_tasks: { title_generation: true },
      variables: { "{{USER_NAME}}": "Ada" },
      metadata: { x: 1 },
      model_item: { id: "m" },
      params: {},
      skill_ids: [],
      tool_servers: [],
      user_message_id: "u1",
    });
    expect(modelBody(request)).toEqual({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      temperature: 0.2,
      tools: [{ type: "function", function: { name: "f" } }],
    });
    expect(request.chat_id).toBe("c1");
  });
});
