import { describe, expect, it } from "vitest";
import { modelIdProblem, modelIdSchema } from "./model-id.ts";

describe("modelIdSchema", () => {
  it("admits the ids upstreams and pipes use", () => {
    for (const id of [
      "gpt-4o",
      "llama3.1:8b-instruct-q4_K_M",
      "openai/gpt-4o",
      "meta-llama/Llama-3.1-8B-Instruct",
      "my_pipe.sub-model",
      "tutor",
      "a@b+c",
    ]) {
      expect(modelIdProblem(id), id).toBeUndefined();
    }
    expect(modelIdSchema.parse("  gpt-4o ")).toBe("gpt-4o");
  });

  it("refuses paths, control characters, object properties and overlong ids", () => {
    for (const id of [
      "",
      "../x",
      "a/../b",
      "a/./b",
      "/x",
      "x/",
      "a//b",
      ".hidden",
      "a\u0000b",
      "a b",
      "a\nb",
      "__proto__",
      "constructor",
      "toString",
      "x".repeat(257),
    ]) {
      expect(modelIdProblem(id), JSON.stringify(id)).toBeDefined();
    }
    expect(modelIdSchema.safeParse("__proto__").success).toBe(false);
  });
});
