import { describe, expect, it } from "vitest";
import { formatApiKeyHint, generateApiKey, hashApiKey, isApiKey, isWellFormedApiKey } from "./api-key.ts";

describe("generateApiKey", () => {
  it("makes sk- keys of 48 hex characters, each different", () => {
    const first = generateApiKey();
    const second = generateApiKey();
    expect(first.key).toMatch(/^sk-[0-9a-f]{48}$/);
    expect(first.key).not.toBe(second.key);
    expect(isWellFormedApiKey(first.key)).toBe(true);
  });

  it("stores only a sha256 and the last four characters", () => {
    const { key, hash, hint } = generateApiKey();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashApiKey(key));
    expect(hash).not.toContain(key.slice(3));
    expect(hint).toBe(key.slice(-4));
    expect(formatApiKeyHint(hint)).toBe(`sk-…${key.slice(-4)}`);
  });

  it("tells keys from JWTs", () => {
    expect(isApiKey(generateApiKey().key)).toBe(true);
    expect(isApiKey("eyJhbGciOiJIUzI1NiJ9.e30.x")).toBe(false);
    expect(isWellFormedApiKey("sk-short")).toBe(false);
  });
});
