import { describe, expect, it } from "vitest";
import { applyModelParams } from "./apply-model-params.ts";

const hello = { role: "user", content: "hello" };

describe("applyModelParams", () => {
  it("puts a custom model's system prompt first, as its own system message", () => {
    const body = applyModelParams({ model: "m", messages: [hello] }, { system: "  Be brief.  " });
    expect(body.messages).toEqual([{ role: "system", content: "Be brief." }, hello]);
  });

  it("puts it before the request's own system message, in the same message", () => {
    const body = applyModelParams(
      { model: "m", messages: [{ role: "system", content: "Answer in French." }, hello] },
      { system: "Be brief." },
    );
    expect(body.messages).toEqual([{ role: "system", content: "Be brief.\n\nAnswer in French." }, hello]);
  });

  it("applies the model's request fields only where the request set none", () => {
    const body = applyModelParams({ model: "m", messages: [hello], temperature: 0.9 }, { temperature: 0.1, max_tokens: 50, top_p: null });
    expect(body).toMatchObject({ temperature: 0.9, max_tokens: 50 });
    expect(body).not.toHaveProperty("top_p");
  });

  it("sends none of Open WebUI's model settings that are not request fields", () => {
    const body = applyModelParams(
      { model: "m", messages: [hello] },
      {
        system: "",
        function_calling: "native",
        stream_response: true,
        stream_delta_chunk_size: 5,
        reasoning_tags: ["<t>", "</t>"],
        seed: 7,
      },
    );
    expect(body).toEqual({ model: "m", messages: [hello], seed: 7 });
  });

  it("leaves the body as it is for a model without params, and the given body unchanged", () => {
    const original = { model: "m", messages: [hello] };
    expect(applyModelParams(original, undefined)).toBe(original);
    applyModelParams(original, { system: "x", temperature: 1 });
    expect(original).toEqual({ model: "m", messages: [hello] });
  });
});
