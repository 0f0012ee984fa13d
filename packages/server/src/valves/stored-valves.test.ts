import { describe, expect, it } from "vitest";
import { createSecretBox } from "./secret-box.ts";
import { maskValves, openValves, restoreMaskedSecrets, sealValves, SECRET_MASK } from "./stored-valves.ts";

describe("stored valves", () => {
  const box = createSecretBox(Buffer.from("k".repeat(32)));

  it("stores secret fields as ciphertext and reads them back", () => {
    const sealed = sealValves({ apiKey: "sk-live-123", model: "gpt" }, ["apiKey"], box);
    expect(sealed.model).toBe("gpt");
    expect(String(sealed.apiKey)).not.toContain("sk-live-123");
    expect(openValves(sealed, box)).toEqual({ apiKey: "sk-live-123", model: "gpt" });
  });

  it("drops secrets sealed with another key instead of passing ciphertext on", () => {
    const sealed = sealValves({ apiKey: "secret", limit: 3 }, ["apiKey"], box);
    const unreadable: string[] = [];
    const opened = openValves(sealed, createSecretBox("another key"), (field) => unreadable.push(field));
    expect(opened).toEqual({ limit: 3 });
    expect(unreadable).toEqual(["apiKey"]);
  });

  it("masks set secrets and keeps the stored secret when the mask comes back", () => {
    expect(maskValves({ apiKey: "x", other: 1 }, ["apiKey", "unset"])).toEqual({ apiKey: SECRET_MASK, other: 1 });
    expect(restoreMaskedSecrets({ apiKey: SECRET_MASK, other: 2 }, { apiKey: "x" }, ["apiKey"])).toEqual({ apiKey: "x", other: 2 });
    expect(restoreMaskedSecrets({ apiKey: SECRET_MASK }, {}, ["apiKey"])).toEqual({});
  });
});
