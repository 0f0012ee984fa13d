import { describe, expect, it } from "vitest";
import { controlsOfChat, hasControls, withChatControls } from "./chat-controls.ts";

describe("controlsOfChat", () => {
  it("reads chat.params, its system prompt, and the older chat.system", () => {
    expect(controlsOfChat({ params: { temperature: 0.2, seed: 7, system: "Be brief." } })).toEqual({
      system: "Be brief.",
      temperature: 0.2,
      seed: 7,
    });
    expect(controlsOfChat({ system: "Old style" })).toEqual({ system: "Old style" });
  });

  it("ignores values of the wrong type and unknown keys", () => {
    expect(controlsOfChat({ params: { temperature: "hot", top_p: null, stop: ["x"] } })).toEqual({});
    expect(hasControls(controlsOfChat(undefined))).toBe(false);
  });
});

describe("withChatControls", () => {
  it("puts the system prompt first and the parameters into the request", () => {
    const body = { model: "m", messages: [{ role: "user", content: "hi" }] };
    expect(withChatControls(body, { system: "Be brief.", temperature: 0.3, max_tokens: 50 })).toEqual({
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
      temperature: 0.3,
      max_tokens: 50,
    });
  });

  it("leaves a request without controls as it was", () => {
    const body = { model: "m", messages: [{ role: "user", content: "hi" }] };
    expect(withChatControls(body, {})).toEqual(body);
  });
});
